package spark.jobserver.api;

import com.typesafe.config.Config;
import spark.jobserver.NamedObjects;

/**
 * What the server tells a running job about where it runs.
 *
 * <p>The instance handed to jobs also implements {@link spark.jobserver.DataFileCache}, so a job can
 * reach files uploaded through {@code POST /data}.
 */
public interface JobEnvironment {

    /** The id clients use to address this job ({@code GET /jobs/<jobId>}). */
    String jobId();

    /** The named objects of this job's context, shared with every other job of the same context. */
    NamedObjects namedObjects();

    /**
     * The effective configuration of the context the job runs in, including {@code context.name} and
     * {@code is-adhoc}.
     */
    Config contextConfig();
}
