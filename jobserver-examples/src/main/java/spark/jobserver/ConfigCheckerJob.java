package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * Returns the sorted top-level keys of the configuration the job received (the posted job config merged
 * over the server's), to show what a job can see. Legacy style; reads no particular key.
 */
public final class ConfigCheckerJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return jobConfig.root().keySet().stream().sorted().toList();
    }
}
