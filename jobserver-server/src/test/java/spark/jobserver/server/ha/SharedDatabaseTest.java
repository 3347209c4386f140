package spark.jobserver.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static spark.jobserver.server.testing.ServiceHarness.WAIT;

import com.fasterxml.jackson.databind.node.IntNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobService;
import spark.jobserver.server.jobs.JobStatus;
import spark.jobserver.server.testing.Eventually;
import spark.jobserver.server.testing.FakeDriver;
import spark.jobserver.server.testing.ServiceHarness;

/**
 * Several servers on one database, at the service level: server "a" is the harness's own, "b" another set of
 * services on the same database; fake drivers play the drivers and the harness's clock runs the leases.
 */
class SharedDatabaseTest {
    @TempDir
    Path root;

    private ServiceHarness harness;
    private ServiceHarness.Server b;

    @BeforeEach
    void start() {
        harness = ServiceHarness.startShared(root, "", "a");
        harness.uploadJar("app");
        b = harness.otherServer("b");
    }

    @AfterEach
    void stop() {
        b.contexts().close();
        harness.close();
    }

    private static JobService.Request request(String context, boolean sync) {
        return new JobService.Request(
                "app",
                "my.Job",
                List.of(),
                context,
                sync,
                Duration.ofSeconds(5),
                ConfigFactory.parseString("x = 1"),
                null);
    }

    @Test
    void aContextOfOneServerIsListedByTheOtherAndItsRequestsGoToItsServer() {
        harness.runningContext("ctx");

        assertThat(b.contexts().listNames()).containsExactly("ctx");
        assertThat(b.contexts().get("ctx").state()).isEqualTo(ContextState.RUNNING);
        assertThatThrownBy(() -> b.jobs().start(request("ctx", false)))
                .isInstanceOfSatisfying(
                        ContextElsewhere.class,
                        e -> assertThat(e.owner()).isEqualTo(new Cluster.Member("a", "http://a")));
        assertThatThrownBy(() -> b.contexts().stop("ctx", false)).isInstanceOf(ContextElsewhere.class);
        assertThatThrownBy(() -> b.contexts().namedObjects("ctx", WAIT)).isInstanceOf(ContextElsewhere.class);
        // one name across servers
        assertThatThrownBy(() -> b.contexts().start("ctx", harness.config().contextDefaults(), false))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
        // a name nobody has is still a plain 404
        assertThatThrownBy(() -> b.jobs().start(request("none", false)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
    }

    @Test
    void aDriverThatFailsOverSendsWhatItsDeadServerDidNotRecordAndTheOtherServerRecordsItOnce() {
        FakeDriver driver = harness.runningContext("ctx");
        JobService.Reply started;
        CompletableFuture<JobService.Reply> reply = harness.jobs().start(request("ctx", false));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        started = reply.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(started).isInstanceOf(JobService.Reply.Started.class);
        assertThat(driver.next(Message.Acked.class, WAIT)).isEqualTo(new Message.Acked(start.jobId(), "JobStarted"));

        // Server a dies (its connection drops); the driver re-attaches to b and sends its unacknowledged end.
        driver.disconnect();
        FakeDriver moved = harness.reattachTo(driver, b.contexts());
        assertThat(moved.connect()).isTrue();
        Message.JobFinished finished = new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(42));
        moved.send(finished);
        assertThat(moved.next(Message.Acked.class, WAIT)).isEqualTo(Message.Acked.of(finished));
        JobInfo done = Eventually.await(() -> b.jobs().get(start.jobId()), j -> j.status() == JobStatus.FINISHED, WAIT);
        assertThat(done.result()).isEqualTo("42");
        // sent once more (its acknowledgement lost): applied once, acknowledged again
        moved.send(new Message.JobFinished(start.jobId(), 3_000, IntNode.valueOf(43)));
        assertThat(moved.next(Message.Acked.class, WAIT).jobId()).isEqualTo(start.jobId());
        assertThat(b.jobs().get(start.jobId()).result()).isEqualTo("42");

        // b owns the context now: a forwards to it, b runs its jobs
        assertThat(harness.cluster("a").owner(done.contextId())).contains("b");
        harness.contexts().sweep(); // (had a lived on) it forgets what b took over
        Eventually.await(() -> harness.contexts().live(done.contextId()).isEmpty(), gone -> gone, WAIT);
        assertThatThrownBy(() -> harness.contexts().running("ctx")).isInstanceOf(ContextElsewhere.class);
        CompletableFuture<JobService.Reply> onB = b.jobs().start(request("ctx", true));
        Message.StartJob second = moved.next(Message.StartJob.class, WAIT);
        moved.send(new Message.JobStarted(second.jobId(), 4_000));
        moved.send(new Message.JobFinished(second.jobId(), 5_000, IntNode.valueOf(7)));
        assertThat(onB.orTimeout(5, TimeUnit.SECONDS).join())
                .isEqualTo(new JobService.Reply.Finished(second.jobId(), "7"));
    }

    @Test
    void theServerADriverLeftForgetsItsContextWithoutEndingIt() {
        FakeDriver driver = harness.runningContext("ctx");
        String id = harness.contexts().get("ctx").id();
        driver.disconnect();
        FakeDriver moved = harness.reattachTo(driver, b.contexts());
        moved.connect();
        // b takes the context on its event thread, right after the driver attached
        Eventually.await(() -> harness.cluster("a").owner(id), owner -> owner.equals(java.util.Optional.of("b")), WAIT);

        harness.contexts().sweep();
        Eventually.await(() -> harness.contexts().live(id).isEmpty(), gone -> gone, WAIT);
        // a's heartbeat check and timers no longer touch it: it stays RUNNING, b's
        harness.clock().advance(Duration.ofMinutes(5));
        harness.contexts().checkHeartbeats();
        assertThat(b.contexts().get("ctx").state()).isEqualTo(ContextState.RUNNING);
        assertThat(harness.cluster("a").owner(id)).contains("b");
    }

    @Test
    void theContextsOfADeadServerAreAdoptedAndEndedWhenTheirDriversDoNotComeBack() {
        harness.runningContext("ctx");
        String id = harness.contexts().get("ctx").id();
        b.contexts().sweep();
        assertThat(harness.cluster("b").liveMembers())
                .extracting(Cluster.Member::id)
                .containsExactly("b", "a");

        // a stops renewing its lease (it died); once the lease is out, b adopts its context
        harness.clock().advance(Duration.ofSeconds(11));
        b.contexts().sweep();
        assertThat(harness.cluster("b").owner(id)).contains("b");
        assertThat(b.contexts().live(id)).isPresent();
        // no driver re-attaches within the re-attach timeout (500 ms in the harness)
        ContextInfo ended = Eventually.await(() -> b.contexts().get("ctx"), c -> c.state() == ContextState.ERROR, WAIT);
        assertThat(ended.error().message()).contains("did not re-attach when its server went away");
    }

    @Test
    void aServerStartingTooManyContextsAtOnceAnswers429WithRetryAfter() {
        ServiceHarness limited =
                ServiceHarness.start(root.resolve("limited"), "spark.jobserver.admission.max-starting-contexts = 1");
        try {
            limited.contexts().start("one", limited.config().contextDefaults(), false);
            assertThatThrownBy(() ->
                            limited.contexts().start("two", limited.config().contextDefaults(), false))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(429);
                        assertThat(e.retryAfterSeconds()).hasValue(5);
                        assertThat(e.getMessage()).contains("Too many contexts starting at once");
                    });
        } finally {
            limited.close();
        }
    }
}
