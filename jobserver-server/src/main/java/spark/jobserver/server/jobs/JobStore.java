package spark.jobserver.server.jobs;

import java.util.List;
import java.util.Optional;

/** Where jobs, their configs and results are recorded. */
public interface JobStore {

    void insert(JobInfo job);

    /**
     * Records the end of a job, unless it has already ended.
     *
     * @return whether the job was still unfinished
     */
    boolean finish(JobInfo job);

    Optional<JobInfo> get(String jobId);

    /**
     * Newest first; {@code status} null for all. A listing carries no results and no configs (their
     * {@code result} is null and {@code config} empty): fifty listed jobs must not load fifty results.
     */
    List<JobInfo> list(int limit, JobStatus status);

    /** Unfinished jobs of a context. */
    List<JobInfo> unfinishedInContext(String contextId);

    /** Ids of unfinished jobs that have this binary on their class path. */
    List<String> unfinishedUsingBinary(String appName);

    /** Deletes the jobs that ended before {@code endedBefore}; never an unfinished one. Returns how many. */
    int deleteEndedBefore(java.time.Instant endedBefore);

    /** Deletes ended jobs beyond the {@code keep} newest ended ones (by start time); never an unfinished one. */
    int deleteEndedBeyond(int keep);
}
