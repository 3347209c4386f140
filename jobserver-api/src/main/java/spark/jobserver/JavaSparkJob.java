package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The legacy Java base class: override {@link #runJob(JavaSparkContext, Config)} and, to reject bad
 * input, {@link #invalidate(JavaSparkContext, Config)}.
 */
public abstract class JavaSparkJob implements SparkJob {

    /** Runs the job; the returned value is the job's result. */
    public abstract Object runJob(JavaSparkContext jsc, Config jobConfig) throws Exception;

    /**
     * Checks the configuration.
     *
     * @return null when the job may run, otherwise the reason it may not
     */
    public String invalidate(JavaSparkContext jsc, Config config) {
        return null;
    }

    @Override
    public final SparkJobValidation validate(SparkContext sc, Config config) {
        String reason = invalidate(JavaSparkContext.fromSparkContext(sc), config);
        return reason == null ? SparkJobValid.INSTANCE : new SparkJobInvalid(reason);
    }

    @Override
    public final Object runJob(SparkContext sc, Config jobConfig) throws Exception {
        return runJob(JavaSparkContext.fromSparkContext(sc), jobConfig);
    }
}
