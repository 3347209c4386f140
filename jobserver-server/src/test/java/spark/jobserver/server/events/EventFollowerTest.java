package spark.jobserver.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobStatus;
import spark.jobserver.server.testing.Eventually;
import spark.jobserver.server.testing.MutableClock;

class EventFollowerTest {
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final EventLog log = new EventLog(clock, 1000, 10);
    private final Subscription all = log.subscribe(EventFilter.ALL, null, 1000);
    private final List<ServerEvent> received = new ArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private List<ServerEvent> received() {
        try {
            received.addAll(all.take(Duration.ZERO));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return List.copyOf(received);
    }

    private static ContextInfo context(ContextState state) {
        return new ContextInfo("ctx-id", "ctx", "{}", state, T0, null, "local-1", null, null, 42L, "/tmp/driver.log");
    }

    private static JobInfo job(JobStatus status, Instant end) {
        return new JobInfo(
                "job-1", "ctx-id", "ctx", "app", "Job", List.of(), "{}", status, T0, end, "{\"a\":1}", null, null);
    }

    private static Message.JobProgress progress(int completedTasks) {
        return new Message.JobProgress(
                "job-1",
                new ProgressReport(
                        List.of(new ProgressReport.SparkJob(
                                0, "RUNNING", List.of(0), 10, 1, completedTasks, 0, 0, T0.toEpochMilli(), null)),
                        List.of(),
                        0));
    }

    private static int completedTasks(ServerEvent event) {
        return Json.read(event.json())
                .path("sparkJobs")
                .path(0)
                .path("completedTasks")
                .asInt();
    }

    @Test
    void contextsAndJobsAreShownAsTheirGetRoutesShowThem() {
        EventFollower follower = new EventFollower(log, clock, scheduler, Duration.ofSeconds(1));
        follower.contextChanged(context(ContextState.RUNNING));
        follower.jobStarted(job(JobStatus.RUNNING, null), false);
        follower.jobEnded(job(JobStatus.FINISHED, T0.plusSeconds(2)), false);

        List<ServerEvent> events = received();
        assertThat(events).extracting(ServerEvent::type).containsExactly("context", "job", "job");
        assertThat(Json.read(events.get(0).json()).path("name").asText()).isEqualTo("ctx");
        assertThat(Json.read(events.get(0).json()).path("state").asText()).isEqualTo("RUNNING");
        assertThat(events.get(0).contextName()).isEqualTo("ctx");
        assertThat(Json.read(events.get(1).json()).path("status").asText()).isEqualTo("RUNNING");
        var ended = Json.read(events.get(2).json());
        assertThat(ended.path("status").asText()).isEqualTo("FINISHED");
        assertThat(ended.path("duration").asText()).isEqualTo("2.0 secs");
        assertThat(ended.has("result")).as("no result in the stream").isFalse();
        assertThat(events.get(2).jobId()).isEqualTo("job-1");
        assertThat(events.get(2).contextName()).isEqualTo("ctx");
    }

    @Test
    void progressIsThrottledPerJobAndItsLastReportComesBeforeTheJobsEnd() {
        EventFollower follower = new EventFollower(log, clock, scheduler, Duration.ofHours(1));
        follower.jobProgress(context(ContextState.RUNNING), progress(1));
        follower.jobProgress(context(ContextState.RUNNING), progress(2));
        follower.jobProgress(context(ContextState.RUNNING), progress(3));
        assertThat(received()).extracting(EventFollowerTest::completedTasks).containsExactly(1);

        follower.jobEnded(job(JobStatus.FINISHED, T0.plusSeconds(1)), false);
        List<ServerEvent> events = received();
        assertThat(events).extracting(ServerEvent::type).containsExactly("progress", "progress", "job");
        assertThat(completedTasks(events.get(1))).isEqualTo(3);
        assertThat(events.get(1).contextName()).isEqualTo("ctx");
        assertThat(events.get(1).jobId()).isEqualTo("job-1");
    }

    @Test
    void aHeldBackReportIsSentAtTheEndOfItsInterval() {
        EventFollower follower = new EventFollower(log, clock, scheduler, Duration.ofMillis(50));
        follower.jobProgress(context(ContextState.RUNNING), progress(1));
        follower.jobProgress(context(ContextState.RUNNING), progress(2));
        List<ServerEvent> events = Eventually.await(this::received, e -> e.size() == 2, Duration.ofSeconds(10));
        assertThat(events).extracting(EventFollowerTest::completedTasks).containsExactly(1, 2);

        // an interval later, a report goes out at once
        clock.advance(Duration.ofMillis(50));
        follower.jobProgress(context(ContextState.RUNNING), progress(3));
        assertThat(received()).extracting(EventFollowerTest::completedTasks).containsExactly(1, 2, 3);
    }
}
