package spark.jobserver.context;

import org.apache.spark.SparkContext;

/** A running Spark context as made by a {@link SparkContextFactory}. */
public interface ContextLike {

    /** The underlying Spark context. */
    SparkContext sparkContext();

    /**
     * What jobs of this context receive as their first argument: a {@code SparkContext}, a
     * {@code SparkSession}, a {@code StreamingContext}...
     */
    Object jobContext();

    /** Whether {@code job} is of a style this context can run. */
    boolean isValidJob(Object job);

    /** Stops the context and releases its resources. */
    void stop();
}
