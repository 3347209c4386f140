package spark.jobserver;

/**
 * Gives a job of any style the named objects of its context, as the original's legacy jobs had them in
 * their {@code namedObjects} field. The server calls {@link #setNamedObjects} on every new job instance
 * that implements this interface, before {@code validate} (or {@code verify}); keep the value in a
 * field:
 *
 * <pre>{@code
 * public final class MyJob implements SparkJob, NamedObjectSupport {
 *     private NamedObjects namedObjects;
 *
 *     @Override
 *     public void setNamedObjects(NamedObjects namedObjects) {
 *         this.namedObjects = namedObjects;
 *     }
 *     ...
 * }
 * }</pre>
 *
 * <p>Typed and Java jobs can use {@code runtime.namedObjects()} instead.
 */
public interface NamedObjectSupport {

    /** Called by the server before the job is validated, with the named objects of the job's context. */
    void setNamedObjects(NamedObjects namedObjects);
}
