package spark.jobserver.japi;

import org.apache.spark.sql.SparkSession;

/**
 * A Java job on a {@link SparkSession}: implement {@code run} and {@code verify} as for
 * {@link JSparkJob}. Runs only in contexts made by
 * {@code spark.jobserver.context.JavaSessionContextFactory}.
 *
 * <p>An abstract class, as in the original project, so existing jobs that {@code extend} it compile
 * unchanged.
 *
 * @param <R> the job's result
 */
public abstract class JSessionJob<R> implements BaseJavaJob<R, SparkSession> {}
