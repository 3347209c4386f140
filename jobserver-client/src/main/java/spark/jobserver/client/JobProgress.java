package spark.jobserver.client;

import java.util.List;

/**
 * {@code GET /jobs/<id>/progress}: the Spark jobs and stage attempts of a job (docs/observability.md).
 *
 * @param droppedSparkJobs older ended Spark jobs left out (a job keeps its newest 100)
 */
public record JobProgress(
        String jobId, String status, List<SparkJob> sparkJobs, List<Stage> stages, int droppedSparkJobs) {
    public JobProgress {
        sparkJobs = sparkJobs == null ? List.of() : List.copyOf(sparkJobs);
        stages = stages == null ? List.of() : List.copyOf(stages);
    }

    /** Tasks completed and in all, over the Spark jobs: a rough "how far". */
    public int completedTasks() {
        return sparkJobs.stream().mapToInt(SparkJob::completedTasks).sum();
    }

    public int numTasks() {
        return sparkJobs.stream().mapToInt(j -> j.numTasks() - j.skippedTasks()).sum();
    }

    /** One Spark job (action); {@code status} RUNNING, SUCCEEDED or FAILED. */
    public record SparkJob(
            int sparkJobId,
            String status,
            List<Integer> stageIds,
            int numTasks,
            int activeTasks,
            int completedTasks,
            int skippedTasks,
            int failedTasks,
            String submissionTime,
            String completionTime) {}

    /** One stage attempt; {@code status} PENDING, ACTIVE, COMPLETE, FAILED or SKIPPED. */
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
            String submissionTime,
            String completionTime,
            String failureReason) {}
}
