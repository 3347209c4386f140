package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * The legacy job style: {@code validate} checks the configuration, {@code runJob} gets the context and
 * the raw configuration. Runs in contexts made by the default context factory.
 */
public interface SparkJob {

    /**
     * Checks the job's configuration before it runs; should be fast.
     *
     * @return {@link SparkJobValid#INSTANCE}, or {@link SparkJobInvalid} with the reason
     */
    SparkJobValidation validate(SparkContext sc, Config config);

    /**
     * Runs the job.
     *
     * @param jobConfig the posted job configuration, with the server's configuration (minus secrets)
     *     as fallback
     * @return the result, rendered as JSON for the client
     */
    Object runJob(SparkContext sc, Config jobConfig) throws Exception;
}
