package spark.jobserver;

import com.typesafe.config.Config;
import java.util.Comparator;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Sums a persisted RDD of the context: the one named {@code numbers} that {@link CacheSomethingJob}
 * cached ({@code 426}), else the first one persisted, as the original did. Fails when nothing is
 * persisted. Legacy style; reads no configuration.
 */
public final class AccessCacheJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) throws SparkException {
        // The original took whichever persisted RDD came first; other jobs of the context may persist RDDs
        // too, so prefer the one by name, then the oldest.
        RDD<?> cached = CollectionConverters.asJava(sc.getPersistentRDDs()).values().stream()
                .min(Comparator.<RDD<?>, Boolean>comparing(rdd -> !"numbers".equals(rdd.name()))
                        .thenComparingInt(RDD::id))
                .orElseThrow(() -> new SparkException("no persisted RDD in this context; run CacheSomethingJob first"));
        @SuppressWarnings("unchecked")
        RDD<Integer> numbers = (RDD<Integer>) cached;
        return numbers.toJavaRDD().reduce(Integer::sum);
    }
}
