package spark.jobserver.server.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobStatus;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestDatabases.Backend;

/** What the server keeps of jobs' progress, in memory and in a real (H2) store. */
class JobProgressServiceTest {
    private static final ContextInfo CONTEXT = new ContextInfo(
            "ctx-1", "ctx", "{}", ContextState.RUNNING, Instant.EPOCH, null, null, null, null, null, null);

    private JdbcJobStore jobs;
    private JdbcJobProgressStore store;
    private JobProgressService service;

    @BeforeEach
    void setUp() {
        Database database = TestDatabases.clean(Backend.H2);
        jobs = new JdbcJobStore(database);
        store = new JdbcJobProgressStore(database);
        service = new JobProgressService(store);
    }

    @Test
    void theLatestReportIsLiveWhileTheJobRunsAndStoredAtItsEnd() {
        JobInfo running = running("j1");
        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("RUNNING")));
        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("RUNNING", "ACTIVE")));
        assertThat(service.report("j1")).contains(report("RUNNING", "ACTIVE"));
        assertThat(store.get("j1")).isEmpty(); // nothing written while it runs

        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("SUCCEEDED", "COMPLETE")));
        service.jobEnded(finish(running, JobStatus.FINISHED), false);
        assertThat(store.get("j1")).contains(report("SUCCEEDED", "COMPLETE"));
        assertThat(service.report("j1")).contains(report("SUCCEEDED", "COMPLETE"));
        assertThat(service.liveCount()).isZero();
    }

    @Test
    void aReportAfterTheEndIsStoredNotKept() {
        // a kill is recorded before the driver's last picture arrives
        JobInfo running = running("j1");
        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("RUNNING", "ACTIVE")));
        service.jobEnded(finish(running, JobStatus.KILLED), false);
        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("FAILED", "FAILED")));
        assertThat(service.liveCount()).isZero();
        assertThat(store.get("j1")).contains(report("FAILED", "FAILED"));
    }

    @Test
    void aJobWhoseDriverDiedKeepsItsLastReportAndTheRestIsForgotten() {
        JobInfo running = running("j1");
        service.jobProgress(CONTEXT, new Message.JobProgress("j1", report("RUNNING", "ACTIVE")));
        // validating, never recorded as started: no row, no end
        service.jobProgress(CONTEXT, new Message.JobProgress("j2", report("RUNNING")));
        // the recorder ends the context's jobs first, then the context ends
        service.jobEnded(finish(running, JobStatus.ERROR), false);
        service.contextEnded(CONTEXT, false, ErrorInfo.of("driver died", "java.lang.IllegalStateException"));
        assertThat(store.get("j1")).contains(report("RUNNING", "ACTIVE"));
        assertThat(service.liveCount()).isZero();
        assertThat(service.report("j2")).isEmpty();
    }

    @Test
    void aJobWithoutReportsHasNone() {
        JobInfo running = running("j1");
        service.jobEnded(finish(running, JobStatus.FINISHED), false);
        assertThat(service.report("j1")).isEmpty();
    }

    private JobInfo running(String id) {
        JobInfo job = new JobInfo(
                id,
                "ctx-1",
                "ctx",
                "app",
                "C",
                List.of(),
                "{}",
                JobStatus.RUNNING,
                Instant.ofEpochMilli(1000),
                null,
                null,
                null,
                null);
        jobs.insert(job);
        return job;
    }

    private JobInfo finish(JobInfo job, JobStatus status) {
        JobInfo ended = new JobInfo(
                job.jobId(),
                job.contextId(),
                job.contextName(),
                job.appName(),
                job.classPath(),
                job.binaries(),
                job.config(),
                status,
                job.startTime(),
                Instant.ofEpochMilli(2000),
                status == JobStatus.FINISHED ? "1" : null,
                null,
                null);
        jobs.finish(ended);
        return ended;
    }

    private static ProgressReport report(String jobStatus, String... stageStatuses) {
        List<ProgressReport.Stage> stages = new java.util.ArrayList<>();
        for (int i = 0; i < stageStatuses.length; i++) {
            stages.add(new ProgressReport.Stage(
                    i, 0, "stage " + i, stageStatuses[i], 2, 0, 2, 0, 0, 0, 0, 0, 1000L, null, null));
        }
        return new ProgressReport(
                List.of(new ProgressReport.SparkJob(0, jobStatus, List.of(0), 2, 0, 2, 0, 0, 1000L, null)), stages, 0);
    }
}
