package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.streaming.StreamingContext;

/**
 * A job on a Spark Streaming {@link StreamingContext}, in the legacy shape: {@code validate} accepts or
 * rejects the configuration, {@code runJob} gets the context and the configuration. Runs only in
 * contexts made by {@code spark.jobserver.context.StreamingContextFactory}.
 *
 * <p>A streaming job usually sets up its streams, calls {@code ssc.start()} and then
 * {@code ssc.awaitTermination()}, so it runs until its context is stopped ({@code DELETE /contexts/<name>})
 * or one of its batches fails. A streaming context stops after a failed job unless the context setting
 * {@code stop-context-on-job-error} is {@code false}, because a failed streaming context cannot be
 * started again.
 */
public interface SparkStreamingJob {

    /**
     * Checks the job's configuration before it runs; should be fast.
     *
     * @return {@link SparkJobValid#INSTANCE}, or {@link SparkJobInvalid} with the reason
     */
    SparkJobValidation validate(StreamingContext ssc, Config config);

    /**
     * Runs the job.
     *
     * @param jobConfig the posted job configuration, with the server's configuration (minus secrets)
     *     as fallback
     * @return the result, rendered as JSON for the client
     */
    Object runJob(StreamingContext ssc, Config jobConfig) throws Exception;
}
