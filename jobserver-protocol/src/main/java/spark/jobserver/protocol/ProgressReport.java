package spark.jobserver.protocol;

import java.util.List;

/**
 * A job's Spark work as a Spark listener in its driver sees it: the Spark jobs it ran and their stages.
 * Times are epoch milliseconds, null until they happen.
 *
 * @param sparkJobs the Spark jobs (actions) of the job, oldest first
 * @param stages the attempts of their stages, by stage id (Spark numbers a job's stages parents first) and attempt
 * @param droppedSparkJobs how many of the job's oldest ended Spark jobs (with their stages) the driver
 *     dropped to keep the report bounded
 */
public record ProgressReport(List<SparkJob> sparkJobs, List<Stage> stages, int droppedSparkJobs) {
    /** The report of a job that ran no Spark work. */
    public static final ProgressReport EMPTY = new ProgressReport(List.of(), List.of(), 0);

    public ProgressReport {
        sparkJobs = sparkJobs == null ? List.of() : List.copyOf(sparkJobs);
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /**
     * One Spark job (an action) of the job.
     *
     * @param status as Spark names it: RUNNING, SUCCEEDED, FAILED
     * @param numTasks the tasks of all its stages
     * @param skippedTasks the tasks of its stages that Spark skipped (their output already existed)
     */
    public record SparkJob(
            int sparkJobId,
            String status,
            List<Integer> stageIds,
            int numTasks,
            int activeTasks,
            int completedTasks,
            int skippedTasks,
            int failedTasks,
            Long submissionTime,
            Long completionTime) {
        public SparkJob {
            stageIds = stageIds == null ? List.of() : List.copyOf(stageIds);
        }
    }

    /**
     * One attempt of a stage of the job's Spark jobs.
     *
     * @param status as Spark names it: PENDING, ACTIVE, COMPLETE, FAILED, SKIPPED
     * @param failureReason why the attempt failed; null unless it did
     */
    public record Stage(
            int stageId,
            int attempt,
            String name,
            String status,
            int numTasks,
            int activeTasks,
            int completedTasks,
            int failedTasks,
            long inputBytes,
            long outputBytes,
            long shuffleReadBytes,
            long shuffleWriteBytes,
            Long submissionTime,
            Long completionTime,
            String failureReason) {}
}
