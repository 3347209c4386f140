package spark.jobserver;

import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.SparkJobBase;

/**
 * A typed job on a {@link SparkSession}: the same {@code validate}/{@code runJob} shape as
 * {@link spark.jobserver.api.SparkJob}, with the session as first argument. Runs only in contexts made
 * by {@code spark.jobserver.context.SessionContextFactory}; anywhere else the server answers
 * {@code 400 Invalid job type for this context}.
 *
 * <p>Jobs of one context share the session, so temporary views and cached tables one job registers are
 * visible to the next.
 *
 * @param <D> the job's validated input
 * @param <R> the job's result
 */
public interface SparkSessionJob<D, R> extends SparkJobBase<SparkSession, D, R> {}
