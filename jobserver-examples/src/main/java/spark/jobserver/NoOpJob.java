package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * Does nothing and returns {@code 1}: measures the job server's own overhead per job. Legacy style;
 * reads no configuration.
 */
public final class NoOpJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return 1;
    }
}
