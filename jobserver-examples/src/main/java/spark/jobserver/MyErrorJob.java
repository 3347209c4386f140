package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * Always fails while running with {@code IllegalArgumentException("Foobar")}, so the job ends in
 * ERROR. Legacy style; reads no configuration.
 */
public final class MyErrorJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        throw new IllegalArgumentException("Foobar");
    }
}
