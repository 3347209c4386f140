package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Sums 1, 2 and 3 with Spark and returns {@code 6}. Legacy style; reads no configuration.
 */
public final class SimpleObjectJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return JavaSparkContext.fromSparkContext(sc)
                .parallelize(List.of(1, 2, 3))
                .reduce(Integer::sum);
    }
}
