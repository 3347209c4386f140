package spark.jobserver.japi;

import org.apache.spark.streaming.StreamingContext;

/**
 * A Java job on a Spark Streaming {@link StreamingContext}: implement {@code run} and {@code verify} as
 * for {@link JSparkJob}. Runs only in contexts made by
 * {@code spark.jobserver.context.JavaStreamingContextFactory}. Wrap the context in a
 * {@code JavaStreamingContext} for the Java streaming API.
 *
 * @param <R> the job's result
 */
public interface JStreamingJob<R> extends BaseJavaJob<R, StreamingContext> {}
