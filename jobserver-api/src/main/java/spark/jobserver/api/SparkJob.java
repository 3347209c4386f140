package spark.jobserver.api;

import org.apache.spark.SparkContext;

/**
 * A typed job on a {@link SparkContext}. Runs in contexts made by the default context factory.
 *
 * @param <D> the job's validated input
 * @param <R> the job's result
 */
public interface SparkJob<D, R> extends SparkJobBase<SparkContext, D, R> {}
