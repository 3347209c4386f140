package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import spark.jobserver.protocol.ErrorInfo;

/**
 * A job as stored.
 *
 * @param binaries names (or URIs) of what the job had on its class path
 * @param config the posted job configuration as JSON text
 * @param result the result as JSON text; set when FINISHED
 * @param error set when ERROR or KILLED
 */
public record JobInfo(
        String jobId,
        String contextId,
        String contextName,
        String appName,
        String classPath,
        List<String> binaries,
        String config,
        JobStatus status,
        Instant startTime,
        Instant endTime,
        String result,
        ErrorInfo error,
        String callbackUrl) {

    public JobInfo {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(contextName, "contextName is null");
        requireNonNull(classPath, "classPath is null");
        binaries = List.copyOf(binaries);
        requireNonNull(config, "config is null");
        requireNonNull(status, "status is null");
        requireNonNull(startTime, "startTime is null");
    }

    /** The job with this config and result: a listing's job has config {@code ""} and no result. */
    JobInfo withTexts(String newConfig, String newResult) {
        return with(newConfig, status, startTime, endTime, newResult, error);
    }

    JobInfo ended(JobStatus newStatus, Instant end, String newResult, ErrorInfo newError) {
        return with(config, newStatus, startTime, end, newResult, newError);
    }

    /** The job as it runs: RUNNING since {@code start}, with no end. */
    JobInfo startedAt(Instant start) {
        return with(config, JobStatus.RUNNING, start, null, null, null);
    }

    /** A copy with what changes over a job's life (and what a listing leaves out); its identity kept. */
    private JobInfo with(
            String newConfig, JobStatus newStatus, Instant start, Instant end, String newResult, ErrorInfo newError) {
        return new JobInfo(
                jobId,
                contextId,
                contextName,
                appName,
                classPath,
                binaries,
                newConfig,
                newStatus,
                start,
                end,
                newResult,
                newError,
                callbackUrl);
    }
}
