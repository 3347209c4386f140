package spark.jobserver.japi;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * A Java job on a {@link JavaSparkContext}. Runs in contexts of the default factory (also known as
 * {@code spark.jobserver.context.JavaSparkContextFactory}).
 *
 * @param <R> the job's result
 */
public interface JSparkJob<R> extends BaseJavaJob<R, JavaSparkContext> {}
