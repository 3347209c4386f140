package spark.jobserver.protocol;

import java.util.List;

/**
 * A job's Spark work as a Spark listener in its driver sees it: the Spark jobs it ran and their stages.
 * Times are epoch milliseconds, null until they happen.
 */
public record ProgressReport(List<SparkJob> sparkJobs, List<Stage> stages) {
    public ProgressReport {
        sparkJobs = sparkJobs == null ? List.of() : List.copyOf(sparkJobs);
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /** One Spark job (an action) of the job. */
    public record SparkJob(
            int sparkJobId,
            String status,
            List<Integer> stageIds,
            int numTasks,
            int activeTasks,
            int completedTasks,
            int failedTasks,
            Long submissionTime,
            Long completionTime) {
        public SparkJob {
            stageIds = stageIds == null ? List.of() : List.copyOf(stageIds);
        }
    }

    /** One attempt of a stage of the job's Spark jobs. */
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
