package spark.jobserver.server.progress;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Times;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobService;

/** {@code GET /jobs/<id>/progress}: HTTP only; the reports are kept by {@link JobProgressService}. */
public final class JobProgressRoutes {
    private final JobService jobs;
    private final JobProgressService progress;

    public JobProgressRoutes(JobService jobs, JobProgressService progress) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.progress = requireNonNull(progress, "progress is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes.on(routes)
                .get(
                        "/jobs/{id}/progress",
                        ctx -> {
                            JobInfo job = jobs.get(ctx.pathParam("id")); // 404 as GET /jobs/<id>
                            jobs.requireContextHere(job); // a running job's picture is where its driver is
                            ProgressReport report = progress.report(job.jobId()).orElse(ProgressReport.EMPTY);
                            Replies.json(
                                    ctx,
                                    200,
                                    JobProgress.of(job.jobId(), job.status().name(), report));
                        },
                        doc -> doc.summary("A job's Spark jobs and stages: current while it runs, final after it ends")
                                .tag("jobs")
                                .pathParam("id", "the job's id")
                                .response(
                                        200,
                                        "The job's progress (empty lists before its first report)",
                                        JobProgress.class)
                                .error(404, "No such job ID <id>"));
    }

    /**
     * A job's progress as clients see it. Times are the job's own format ({@code startTime} of
     * {@code GET /jobs/<id>}), null until they happen.
     *
     * @param status the job's status, as {@code GET /jobs/<id>} shows it
     * @param droppedSparkJobs how many of its oldest ended Spark jobs are left out (at most 100 are kept)
     */
    @Schema(name = "JobProgress")
    public record JobProgress(
            String jobId, String status, List<SparkJob> sparkJobs, List<Stage> stages, int droppedSparkJobs) {
        /** The progress of job {@code jobId} in {@code status} as a client sees it (the route, the event stream). */
        public static JobProgress of(String jobId, String status, ProgressReport report) {
            return new JobProgress(
                    jobId,
                    status,
                    report.sparkJobs().stream().map(SparkJob::of).toList(),
                    report.stages().stream().map(Stage::of).toList(),
                    report.droppedSparkJobs());
        }
    }

    /** One Spark job (action); {@code status} RUNNING, SUCCEEDED or FAILED. */
    @Schema(name = "SparkJob")
    public record SparkJob(
            int sparkJobId,
            String status,
            List<Integer> stageIds,
            int numTasks,
            int activeTasks,
            int completedTasks,
            int skippedTasks,
            int failedTasks,
            @Schema(nullable = true) String submissionTime,
            @Schema(nullable = true) String completionTime) {
        static SparkJob of(ProgressReport.SparkJob j) {
            return new SparkJob(
                    j.sparkJobId(),
                    j.status(),
                    j.stageIds(),
                    j.numTasks(),
                    j.activeTasks(),
                    j.completedTasks(),
                    j.skippedTasks(),
                    j.failedTasks(),
                    time(j.submissionTime()),
                    time(j.completionTime()));
        }
    }

    /** One stage attempt; {@code status} PENDING, ACTIVE, COMPLETE, FAILED or SKIPPED. */
    @Schema(name = "Stage")
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
            @Schema(nullable = true) String submissionTime,
            @Schema(nullable = true) String completionTime,
            @Schema(nullable = true) String failureReason) {
        static Stage of(ProgressReport.Stage s) {
            return new Stage(
                    s.stageId(),
                    s.attempt(),
                    s.name(),
                    s.status(),
                    s.numTasks(),
                    s.activeTasks(),
                    s.completedTasks(),
                    s.failedTasks(),
                    s.inputBytes(),
                    s.outputBytes(),
                    s.shuffleReadBytes(),
                    s.shuffleWriteBytes(),
                    time(s.submissionTime()),
                    time(s.completionTime()),
                    s.failureReason());
        }
    }

    private static String time(Long epochMillis) {
        return epochMillis == null ? null : Times.jobTime(Instant.ofEpochMilli(epochMillis));
    }
}
