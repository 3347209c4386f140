package spark.jobserver.japi;

import com.typesafe.config.Config;
import spark.jobserver.api.JobEnvironment;

/**
 * The Java job style of the original project: {@code verify} checks (and may rewrite) the
 * configuration, {@code run} computes the result. A {@code verify} that throws makes the server answer
 * {@code 400 VALIDATION FAILED} with the exception's message.
 *
 * @param <R> the job's result
 * @param <C> what the context hands to the job
 */
public interface BaseJavaJob<R, C> {

    /** Runs the job with the configuration {@link #verify} returned. */
    R run(C sc, JobEnvironment runtime, Config data) throws Exception;

    /** Checks the configuration; the returned configuration is what {@link #run} gets. */
    Config verify(C sc, JobEnvironment runtime, Config config) throws Exception;
}
