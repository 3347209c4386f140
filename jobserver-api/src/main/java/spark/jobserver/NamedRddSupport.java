package spark.jobserver;

/**
 * The original's {@code NamedRddSupport}: gives a job {@link #namedRdds()}, named RDDs with the
 * original's defaults. Implement {@link #setNamedObjects} to keep the value in a field and
 * {@link #namedObjects()} to return it:
 *
 * <pre>{@code
 * public final class CacheRddByNameJob implements SparkJob, NamedRddSupport {
 *     private NamedObjects namedObjects;
 *
 *     @Override
 *     public void setNamedObjects(NamedObjects namedObjects) {
 *         this.namedObjects = namedObjects;
 *     }
 *
 *     @Override
 *     public NamedObjects namedObjects() {
 *         return namedObjects;
 *     }
 *
 *     @Override
 *     public Object runJob(SparkContext sc, Config config) throws Exception {
 *         RDD<Integer> rdd = namedRdds().getOrElseCreate("numbers", () -> ...);
 *         ...
 *     }
 * }
 * }</pre>
 */
public interface NamedRddSupport extends NamedObjectSupport {

    /** The named objects the server passed to {@link #setNamedObjects}. */
    NamedObjects namedObjects();

    /** The context's named objects, seen as named RDDs. */
    default NamedRdds namedRdds() {
        return new NamedRdds(namedObjects());
    }
}
