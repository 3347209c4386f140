package spark.jobserver.api;

import com.typesafe.config.Config;

/**
 * The typed job style: {@code validate} turns the posted configuration into the job's input (or says
 * why it cannot), {@code runJob} computes the result. A new instance is created for every job run.
 *
 * @param <C> what the context hands to the job ({@code SparkContext}, {@code SparkSession}, ...)
 * @param <D> the job's validated input
 * @param <R> the job's result; serialized to JSON for the client
 */
public interface SparkJobBase<C, D, R> {

    /**
     * Checks the input before anything runs. Should be fast: the server waits for it before answering
     * an asynchronous job request.
     *
     * @param sc the context
     * @param runtime the job's environment
     * @param config the posted job configuration, with the server's configuration (minus secrets) as
     *     fallback
     * @return {@link JobValidation#good(Object)} with the input for {@code runJob}, or
     *     {@link JobValidation#bad(String, String...)} with the reasons the job cannot run
     */
    JobValidation<D> validate(C sc, JobEnvironment runtime, Config config);

    /**
     * Runs the job.
     *
     * @return the result, rendered as JSON for the client (see the job API guide for the rules)
     */
    R runJob(C sc, JobEnvironment runtime, D data) throws Exception;
}
