package spark.jobserver.server.contexts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static spark.jobserver.server.testing.ServiceHarness.WAIT;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.NamedObjectInfo;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.testing.Eventually;
import spark.jobserver.server.testing.FakeDriver;
import spark.jobserver.server.testing.ServiceHarness;

/** The context state machine, supervision and recovery, with fake drivers: no JVM is started. */
class ContextServiceTest {
    @TempDir
    Path root;

    private ServiceHarness harness;

    @BeforeEach
    void start() {
        harness = ServiceHarness.start(root, "");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private ContextService contexts() {
        return harness.contexts();
    }

    private ContextState stateOf(String name) {
        return contexts().get(name).state();
    }

    private ContextInfo awaitState(String name, ContextState state) {
        return Eventually.await(() -> contexts().get(name), i -> i.state() == state, WAIT);
    }

    @Test
    void aContextRunsOnceItsDriverReportsItsSparkContextUp() {
        CompletableFuture<ContextInfo> started =
                contexts().start("ctx", harness.config().contextDefaults(), false);
        FakeDriver driver = harness.nextDriver();
        assertThat(driver.spec().contextName()).isEqualTo("ctx");
        assertThat(driver.spec().settings().getString("context.name")).isEqualTo("ctx");
        assertThat(started).isNotDone();
        ContextInfo launched = Eventually.await(() -> contexts().get("ctx"), i -> i.pid() != null, WAIT);
        assertThat(launched.state()).isEqualTo(ContextState.STARTED);
        assertThat(launched.pid()).isEqualTo(driver.process().pid());
        assertThat(contexts().listNames()).isEmpty();

        assertThat(driver.connect()).as("not yet known as running").isFalse();
        driver.send(new Message.ContextReady("app-42", "http://ui", "i-1"));

        ContextInfo info = started.orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(info.state()).isEqualTo(ContextState.RUNNING);
        assertThat(info.applicationId()).isEqualTo("app-42");
        assertThat(stateOf("ctx")).isEqualTo(ContextState.RUNNING);
        assertThat(contexts().listNames()).containsExactly("ctx");
        assertThat(contexts().running("ctx").id()).isEqualTo(info.id());
    }

    @Test
    void aSecondContextOfTheSameNameIsRefusedAndNothingIsLaunched() {
        harness.runningContext("ctx");
        assertThatThrownBy(() -> contexts().start("ctx", ConfigFactory.empty(), false))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                .hasMessage("context ctx exists");
        assertThat(harness.launcher().launchCount()).isEqualTo(1);
    }

    @Test
    void settingsThatCannotWorkAreRefusedBeforeAnythingIsRecordedOrLaunched() {
        assertThatThrownBy(() -> contexts().start("bad", ConfigFactory.parseString("num-cpu-cores = -1"), false))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                .hasMessageContaining("num-cpu-cores");
        assertThat(harness.launcher().launchCount()).isZero();
        assertThatThrownBy(() -> contexts().get("bad"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
    }

    @Test
    void aDriverThatCannotMakeItsContextEndsItInError() {
        CompletableFuture<ContextInfo> started = contexts().start("ctx", ConfigFactory.empty(), false);
        FakeDriver driver = harness.nextDriver();
        driver.connect();
        driver.send(new Message.ContextInitFailed(ErrorInfo.of("no such factory", "java.lang.ClassNotFoundException")));

        assertThatThrownBy(() -> started.orTimeout(5, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        ContextStartException.class,
                        e -> assertThat(e.error().errorClass()).isEqualTo("java.lang.ClassNotFoundException"));
        ContextInfo ended = contexts().get("ctx");
        assertThat(ended.state()).isEqualTo(ContextState.ERROR);
        assertThat(ended.endTime()).isNotNull();
        assertThat(ended.error().message()).isEqualTo("no such factory");
    }

    @Test
    void aStartThatTakesTooLongIsGivenUpAndItsDriverKilled() {
        CompletableFuture<ContextInfo> started = contexts().start("slow", ConfigFactory.empty(), false);
        FakeDriver driver = harness.nextDriver();

        assertThatThrownBy(() -> started.orTimeout(5, TimeUnit.SECONDS).join())
                .cause()
                .isInstanceOf(ContextStartException.class)
                .hasMessageContaining("did not start within");
        assertThat(driver.process().wasKilled()).isTrue();
        assertThat(contexts().get("slow").error().errorClass()).isEqualTo("java.util.concurrent.TimeoutException");
    }

    @Test
    void aFailedLaunchEndsTheContextInError() {
        harness.launcher().failLaunches("no java here");
        CompletableFuture<ContextInfo> started = contexts().start("ctx", ConfigFactory.empty(), false);
        assertThatThrownBy(() -> started.orTimeout(5, TimeUnit.SECONDS).join())
                .cause()
                .isInstanceOf(ContextStartException.class)
                .hasMessageContaining("no java here");
        assertThat(contexts().get("ctx").state()).isEqualTo(ContextState.ERROR);
    }

    @Test
    void aDriverThatDiesEndsItsContextInErrorAndFreesTheName() {
        FakeDriver driver = harness.runningContext("ctx");
        driver.process().exit(1);

        ContextInfo ended = awaitState("ctx", ContextState.ERROR);
        assertThat(ended.error().message()).contains("terminated unexpectedly").contains("exited with code 1");
        assertThat(contexts().listNames()).isEmpty();
        assertThat(driver.isConnectionOpen()).isFalse();
        harness.runningContext("ctx"); // the name can be used again
    }

    @Test
    void aStopAsksTheDriverAndEndsFinishedWhenItsProcessExits() {
        FakeDriver driver = harness.runningContext("ctx");
        CompletableFuture<Boolean> stopped = contexts().stop("ctx", false);

        driver.next(Message.StopContext.class, WAIT);
        assertThat(stateOf("ctx")).isEqualTo(ContextState.STOPPING);
        assertThatThrownBy(() -> contexts().running("ctx"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(409));
        driver.process().exit(0);

        assertThat(stopped.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
        assertThat(stateOf("ctx")).isEqualTo(ContextState.FINISHED);
        assertThat(driver.process().wasKilled()).isFalse();
    }

    @Test
    void aDriverThatIgnoresTheStopIsKilledAfterTwiceTheDeletionTimeout() {
        FakeDriver driver = harness.runningContext("ctx");
        CompletableFuture<Boolean> stopped = contexts().stop("ctx", false);
        driver.next(Message.StopContext.class, WAIT);

        assertThat(stopped.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
        assertThat(driver.process().wasKilled()).isTrue();
        assertThat(stateOf("ctx")).isEqualTo(ContextState.FINISHED);
    }

    @Test
    void aForcedStopKillsAtOnceAndASecondStopWaitsForTheSameEnd() {
        FakeDriver driver = harness.runningContext("ctx");
        driver.disconnect(); // a driver that cannot be asked is killed
        CompletableFuture<Boolean> first = contexts().stop("ctx", true);
        assertThat(first.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
        assertThat(driver.process().wasKilled()).isTrue();
        assertThat(stateOf("ctx")).isEqualTo(ContextState.FINISHED);
        assertThatThrownBy(() -> contexts().stop("ctx", false))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404));
    }

    @Test
    void aSilentDriverIsDeclaredDeadAfterTheHeartbeatTimeout() {
        FakeDriver driver = harness.runningContext("ctx");
        harness.clock().advance(Duration.ofSeconds(59));
        contexts().checkHeartbeats();
        driver.heartbeat();
        harness.clock().advance(Duration.ofSeconds(59));
        contexts().checkHeartbeats();
        assertThat(stateOf("ctx")).isEqualTo(ContextState.RUNNING);

        harness.clock().advance(Duration.ofSeconds(2));
        contexts().checkHeartbeats();
        ContextInfo ended = awaitState("ctx", ContextState.ERROR);
        assertThat(ended.error().message()).contains("no heartbeat from its driver for 60 s");
        assertThat(driver.process().wasKilled()).isTrue();
    }

    @Test
    void aClusterDriverThatLosesItsConnectionAndDoesNotComeBackIsDeclaredDead() {
        harness.launcher().launchRemote(true);
        FakeDriver driver = harness.runningContext("remote");
        driver.disconnect();
        harness.clock().advance(Duration.ofSeconds(59));
        contexts().checkHeartbeats();
        assertThat(stateOf("remote")).isEqualTo(ContextState.RUNNING); // a supervised restart has time to come back

        harness.clock().advance(Duration.ofSeconds(2));
        contexts().checkHeartbeats();
        ContextInfo ended = awaitState("remote", ContextState.ERROR);
        assertThat(ended.error().message()).contains("did not come back");
    }

    @Test
    void aClusterDriverAskedToStopEndsWhenItsConnectionCloses() {
        harness.launcher().launchRemote(true);
        FakeDriver driver = harness.runningContext("remote");
        CompletableFuture<Boolean> stopped = contexts().stop("remote", false);
        driver.next(Message.StopContext.class, WAIT);
        driver.disconnect(); // it stopped its Spark context and exited, on its node
        assertThat(stopped.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
        assertThat(stateOf("remote")).isEqualTo(ContextState.FINISHED);
        assertThat(driver.process().wasKilled()).isFalse();
    }

    @Test
    void aDriversMessagesAreHandedOffNotHandledOnItsReaderThread() throws Exception {
        // events held up (here: a recorder stuck on a slow database) must not stop the driver from being heard
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ContextEvents stuck = new ContextEvents() {
            @Override
            public void jobEvent(ContextInfo context, Message.JobEvent event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {}

            @Override
            public void driverRestarted(ContextInfo info, ContextHandle context) {}

            @Override
            public void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason) {}
        };
        ContextService service = harness.contextsTelling(stuck);
        CompletableFuture<ContextInfo> started = service.start("ctx", ConfigFactory.empty(), false);
        FakeDriver driver = harness.nextDriver(service);
        driver.ready();
        started.orTimeout(5, TimeUnit.SECONDS).join();

        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            driver.send(new Message.JobStarted("job-1", 0)); // its handling blocks
            harness.clock().advance(Duration.ofSeconds(59));
            driver.heartbeat("job-1"); // returns at once, and counts as heard from
            driver.send(new Message.JobFinished("job-1", 1, null));
        });
        harness.clock().advance(Duration.ofSeconds(59));
        service.checkHeartbeats();
        assertThat(service.get("ctx").state()).isEqualTo(ContextState.RUNNING);
        release.countDown();
        service.close();
    }

    @Test
    void afterARestartARunningContextsDriverReattachesAndIsAdopted() {
        FakeDriver driver = harness.runningContext("ctx");
        String id = contexts().running("ctx").id();
        harness.restart();

        assertThat(stateOf("ctx")).isEqualTo(ContextState.RUNNING);
        FakeDriver again = harness.reattach(driver);
        assertThat(again.connect()).as("known as running").isTrue();
        // the re-attach timeout passes without harm
        Eventually.await(() -> harness.launcher().launchCount(), n -> n == 1, WAIT);
        assertThat(contexts().running("ctx").id()).isEqualTo(id);
        CompletableFuture<Boolean> stopped = contexts().stop("ctx", false);
        again.next(Message.StopContext.class, WAIT);
        again.process().exit(0);
        assertThat(stopped.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
    }

    @Test
    void afterARestartContextsWhoseDriversAreGoneAreMarkedLostAtOnce() {
        FakeDriver gone = harness.runningContext("gone");
        contexts().start("starting", ConfigFactory.empty(), false);
        FakeDriver starting = harness.nextDriver();
        Eventually.await(() -> contexts().get("starting"), i -> i.pid() != null, WAIT);
        harness.stopServices();
        gone.process().exit(0); // while the server is down
        harness.startServices();

        // marked by recover() itself, before the server would answer its first request
        ContextInfo lost = contexts().get("gone");
        assertThat(lost.state()).isEqualTo(ContextState.ERROR);
        assertThat(lost.error().message())
                .contains("was lost while the server was down")
                .contains("is gone");
        ContextInfo half = contexts().get("starting");
        assertThat(half.state()).isEqualTo(ContextState.ERROR);
        assertThat(half.error().message()).contains("it was still starting");
        assertThat(starting.process().wasKilled())
                .as("a half-started driver is not left running")
                .isTrue();
        assertThat(contexts().listNames()).isEmpty();
    }

    @Test
    void afterARestartADriverThatDoesNotReattachInTimeEndsInError() {
        FakeDriver driver = harness.runningContext("ctx");
        harness.restart();
        ContextInfo ended = awaitState("ctx", ContextState.ERROR);
        assertThat(ended.error().message()).contains("did not re-attach after a server restart");
        assertThat(driver.process().wasKilled()).isTrue();
    }

    @Test
    void namedObjectsAreAskedOfTheDriverAndItsAnswerReturned() {
        FakeDriver driver = harness.runningContext("ctx");
        var listed = contexts().namedObjects("ctx", Duration.ofSeconds(5));
        var ask = driver.next(Message.ListNamedObjects.class, WAIT);
        var rdd = new NamedObjectInfo("r", "RDD", "MEMORY_ONLY", 10L, 0L, 2, 2, 3, null, null, 1L);
        driver.send(new Message.NamedObjectsListed("someone else's", List.of(), null));
        driver.send(new Message.NamedObjectsListed(ask.requestId(), List.of(rdd), null));
        assertThat(listed.orTimeout(5, TimeUnit.SECONDS).join()).containsExactly(rdd);
    }

    @Test
    void namedObjectsOfAnUnknownContextAre404AndASilentDriverIs504AndAnErrorIs503() {
        assertThatThrownBy(() -> contexts().namedObjects("none", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("context none not found");
                });
        FakeDriver driver = harness.runningContext("ctx");
        var silent = contexts().namedObjects("ctx", Duration.ofMillis(200));
        assertThatThrownBy(() -> silent.orTimeout(5, TimeUnit.SECONDS).join())
                .isInstanceOf(CompletionException.class)
                .extracting(t -> ApiException.causeOf(t))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(504);
                    assertThat(e.getMessage()).contains("did not answer");
                });
        driver.next(Message.ListNamedObjects.class, WAIT);

        var failing = contexts().namedObjects("ctx", Duration.ofSeconds(5));
        var ask = driver.next(Message.ListNamedObjects.class, WAIT);
        driver.send(new Message.NamedObjectsListed(
                ask.requestId(), List.of(), ErrorInfo.of("not ready", "java.lang.IllegalStateException")));
        assertThatThrownBy(() -> failing.orTimeout(5, TimeUnit.SECONDS).join())
                .extracting(t -> ApiException.causeOf(t))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    }
}
