package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Caches the RDD {@code numbers} (2, 4, 9, 16, 25, 36, 55, 66, each doubled) in the context with
 * Spark's own {@code cache()} and returns its sum, {@code 426}. {@link AccessCacheJob}, run later in the
 * same context, finds it among the context's persisted RDDs. Legacy style; reads no configuration.
 *
 * <p>Spark holds persisted RDDs only weakly: once no object refers to one, a garbage collection on the
 * driver unpersists it. So the job also keeps {@code numbers} as a named object, which keeps it
 * until it is forgotten or the context stops.
 */
public final class CacheSomethingJob implements SparkJob, NamedObjectSupport {
    private NamedObjects namedObjects;

    @Override
    public void setNamedObjects(NamedObjects namedObjects) {
        this.namedObjects = namedObjects;
    }

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) throws Exception {
        JavaRDD<Integer> numbers = JavaSparkContext.fromSparkContext(sc)
                .parallelize(List.of(2, 4, 9, 16, 25, 36, 55, 66))
                .map(x -> x * 2);
        numbers.setName("numbers");
        numbers.cache();
        namedObjects.update(
                "numbers",
                () -> new NamedRDD<>(numbers.rdd(), false, StorageLevel.MEMORY_ONLY()),
                new RDDPersister<Integer>());
        return numbers.reduce(Integer::sum);
    }
}
