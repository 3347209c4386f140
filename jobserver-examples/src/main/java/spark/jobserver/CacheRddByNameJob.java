package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;

/**
 * Keeps the RDD 1..5 under the name {@code CacheRddByNameJob} with the original's named-RDD defaults
 * (computed at once, {@code MEMORY_ONLY}), finds it again by name and returns the sum of its squares,
 * {@code 55}. The first run in a context creates the RDD; later runs reuse it. Legacy style with
 * {@link NamedRddSupport}; reads no configuration.
 */
public final class CacheRddByNameJob implements SparkJob, NamedRddSupport {
    private NamedObjects namedObjects;

    @Override
    public void setNamedObjects(NamedObjects namedObjects) {
        this.namedObjects = namedObjects;
    }

    @Override
    public NamedObjects namedObjects() {
        return namedObjects;
    }

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) throws Exception {
        String name = getClass().getSimpleName();
        RDD<Integer> rdd = namedRdds()
                .getOrElseCreate(
                        name,
                        () -> JavaSparkContext.fromSparkContext(sc)
                                .parallelize(List.of(1, 2, 3, 4, 5))
                                .rdd());
        // The RDD is in the context now: found by name, it is the same object.
        Optional<RDD<Integer>> again = namedRdds().get(name);
        if (again.isEmpty() || again.get() != rdd) {
            throw new IllegalStateException("Error: " + again + " != Some(" + rdd + ")");
        }
        return rdd.toJavaRDD().map(x -> x * x).reduce(Integer::sum);
    }
}
