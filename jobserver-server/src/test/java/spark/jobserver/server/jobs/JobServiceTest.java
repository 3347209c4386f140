package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static spark.jobserver.server.testing.ServiceHarness.WAIT;

import com.fasterxml.jackson.databind.node.IntNode;
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
import spark.jobserver.protocol.Rejection;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.testing.Eventually;
import spark.jobserver.server.testing.FakeDriver;
import spark.jobserver.server.testing.ServiceHarness;

/** Jobs through their whole life at the service level, with fake drivers: no JVM is started. */
class JobServiceTest {
    @TempDir
    Path root;

    private ServiceHarness harness;
    private FakeDriver driver;

    @BeforeEach
    void start() {
        harness = ServiceHarness.start(root, "");
        harness.uploadJar("app");
        driver = harness.runningContext("ctx");
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static JobService.Request request(boolean sync, Duration timeout) {
        return new JobService.Request(
                "app", "my.Job", List.of(), "ctx", sync, timeout, ConfigFactory.parseString("x = 1"), null);
    }

    private JobService jobs() {
        return harness.jobs();
    }

    private static <T> T result(CompletableFuture<T> future) {
        return future.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private static ApiException failure(CompletableFuture<?> future) {
        try {
            future.orTimeout(5, TimeUnit.SECONDS).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                return api;
            }
            throw e;
        }
        throw new AssertionError("the request did not fail");
    }

    private JobInfo awaitStatus(String jobId, JobStatus status) {
        return Eventually.await(() -> jobs().get(jobId), j -> j.status() == status, WAIT);
    }

    @Test
    void anAsyncJobIsStartedInItsContextAndRecordedThroughItsEnd() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        assertThat(start.classPath()).isEqualTo("my.Job");
        assertThat(start.binaries())
                .singleElement()
                .satisfies(ref -> assertThat(ref.name()).isEqualTo("app"));
        assertThat(reply).isNotDone();

        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        JobService.Reply started = result(reply);
        assertThat(started).isInstanceOfSatisfying(JobService.Reply.Started.class, s -> {
            assertThat(s.job().jobId()).isEqualTo(start.jobId());
            assertThat(s.job().status()).isEqualTo(JobStatus.RUNNING);
            assertThat(s.job().contextName()).isEqualTo("ctx");
        });
        assertThat(jobs().get(start.jobId()).status()).isEqualTo(JobStatus.RUNNING);

        driver.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(42)));
        JobInfo done = awaitStatus(start.jobId(), JobStatus.FINISHED);
        assertThat(done.result()).isEqualTo("42");
        assertThat(done.endTime().toEpochMilli()).isEqualTo(2_000);
    }

    @Test
    void aSyncJobAnswersWithItsResult() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(true, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        assertThat(reply).isNotDone();
        driver.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(7)));
        assertThat(result(reply)).isEqualTo(new JobService.Reply.Finished(start.jobId(), "7"));
    }

    @Test
    void aValidationFailureIs400AndTheJobIsRecordedAsError() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobValidationFailed(start.jobId(), ErrorInfo.of("no input", "java.lang.Exception")));

        ApiException e = failure(reply);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.body()).containsEntry("status", "VALIDATION FAILED");
        assertThat(jobs().get(start.jobId()).status()).isEqualTo(JobStatus.ERROR);
    }

    @Test
    void aDriverWithoutFreeSlotsIs503() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobRejected(start.jobId(), Rejection.NO_SLOTS, ErrorInfo.of("8 jobs run", "x")));
        ApiException e = failure(reply);
        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(e.body()).containsEntry("status", "NO SLOTS AVAILABLE");
    }

    @Test
    void aSyncJobThatOutlivesItsTimeoutAnswers500AndGoesOn() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(true, Duration.ofMillis(200)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));

        ApiException e = failure(reply);
        assertThat(e.httpStatus()).isEqualTo(500);
        assertThat(((ErrorInfo) e.body().get("result")).errorClass()).isEqualTo("akka.pattern.AskTimeoutException");
        driver.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(1)));
        assertThat(awaitStatus(start.jobId(), JobStatus.FINISHED).result()).isEqualTo("1");
    }

    @Test
    void aKilledJobStaysKilledWhateverItsDriverSaysAfterwards() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);

        JobInfo killed = jobs().kill(start.jobId());
        assertThat(killed.status()).isEqualTo(JobStatus.KILLED);
        assertThat(driver.next(Message.KillJob.class, WAIT).jobId()).isEqualTo(start.jobId());
        driver.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(1)));
        driver.heartbeat();
        assertThat(jobs().get(start.jobId()).status()).isEqualTo(JobStatus.KILLED);
        assertThatThrownBy(() -> jobs().kill(start.jobId()))
                .isInstanceOfSatisfying(
                        ApiException.class, a -> assertThat(a.httpStatus()).isEqualTo(404));
    }

    @Test
    void theJobsOfADriverThatDiesEndInErrorAndAWaitingRequestHearsWhy() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(true, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        driver.process().exit(1);

        JobService.Reply failed = result(reply);
        assertThat(failed)
                .isInstanceOfSatisfying(
                        JobService.Reply.Failed.class,
                        f -> assertThat(f.error().message()).contains("terminated unexpectedly"));
        assertThat(awaitStatus(start.jobId(), JobStatus.ERROR).error().message())
                .contains("terminated unexpectedly");
    }

    @Test
    void stoppingAContextKillsItsRunningJobs() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);

        CompletableFuture<Boolean> stopped = harness.contexts().stop("ctx", false);
        driver.next(Message.StopContext.class, WAIT);
        driver.process().exit(0);
        assertThat(result(stopped)).isTrue();
        JobInfo job = jobs().get(start.jobId());
        assertThat(job.status()).isEqualTo(JobStatus.KILLED);
        assertThat(job.error().errorClass()).isEqualTo(JobRecorder.KILLED_ERROR_CLASS);
    }

    @Test
    void aJobWhoseEndWasLostEndsInErrorAfterTwoHeartbeatsWithoutIt() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);

        driver.heartbeat(start.jobId());
        driver.heartbeat();
        Eventually.await(() -> jobs().get(start.jobId()).status(), s -> s == JobStatus.RUNNING, WAIT);
        driver.heartbeat();
        JobInfo lost = awaitStatus(start.jobId(), JobStatus.ERROR);
        assertThat(lost.error().message()).contains("is no longer run by the driver of context ctx");
    }

    @Test
    void aJobInAnUnknownContextOrOfAnUnknownAppIs404() {
        assertThatThrownBy(() -> jobs().start(new JobService.Request(
                        "app", "my.Job", List.of(), "nope", false, WAIT, ConfigFactory.empty(), null)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404))
                .hasMessage("context nope not found");
        assertThatThrownBy(() -> jobs().start(new JobService.Request(
                        "nope", "my.Job", List.of(), "ctx", false, WAIT, ConfigFactory.empty(), null)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(404))
                .hasMessage("appName nope not found");
    }

    @Test
    void aContextWhoseDriverIsNotConnectedAnswers503() {
        driver.disconnect();
        assertThatThrownBy(() -> jobs().start(request(false, WAIT)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    }

    @Test
    void anAdhocJobGetsAContextOfItsOwnThatStopsAfterIt() {
        CompletableFuture<JobService.Reply> reply = jobs().start(new JobService.Request(
                "app", "my.Job", List.of(), null, true, Duration.ofSeconds(5), ConfigFactory.empty(), null));
        FakeDriver adhoc = harness.nextDriver().ready();
        assertThat(adhoc.spec().contextName()).endsWith("-my.Job");
        Message.StartJob start = adhoc.next(Message.StartJob.class, WAIT);
        adhoc.send(new Message.JobStarted(start.jobId(), 1_000));
        adhoc.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(3)));

        assertThat(result(reply)).isEqualTo(new JobService.Reply.Finished(start.jobId(), "3"));
        adhoc.next(Message.StopContext.class, WAIT);
        adhoc.process().exit(0);
        Eventually.await(
                () -> harness.contexts().get(adhoc.spec().contextName()).state(),
                s -> s == ContextState.FINISHED,
                WAIT);
    }

    @Test
    void aRestartedDriverGetsTheJobsThatHadNotEndedAgain() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);
        String firstApp = harness.contexts().get("ctx").applicationId();

        // the cluster restarts the supervised driver: a new JVM dials back and reports a new Spark context
        driver.disconnect();
        FakeDriver restarted = driver.restarted().ready();
        Message.StartJob again = restarted.next(Message.StartJob.class, WAIT);
        assertThat(again).isEqualTo(start); // same job id, class, binaries and configuration
        assertThat(harness.contexts().get("ctx").applicationId()).isNotEqualTo(firstApp);
        restarted.send(new Message.JobStarted(start.jobId(), 3_000));
        restarted.send(new Message.JobFinished(start.jobId(), 4_000, IntNode.valueOf(5)));
        assertThat(awaitStatus(start.jobId(), JobStatus.FINISHED).result()).isEqualTo("5");
        assertThat(harness.contexts().get("ctx").state()).isEqualTo(ContextState.RUNNING);
    }

    @Test
    void aDriverThatOnlyReconnectsGetsNothingAgain() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);

        driver.disconnect();
        driver.ready(); // the same JVM: same incarnation
        driver.send(new Message.JobFinished(start.jobId(), 2_000, IntNode.valueOf(1)));
        assertThat(awaitStatus(start.jobId(), JobStatus.FINISHED).result()).isEqualTo("1");
        driver.heartbeat();
        assertThat(driver.hasNothingQueued()).as("no StartJob sent again").isTrue();
    }

    @Test
    void aJobTheRestartedDriverRefusesEndsInErrorWithTheReason() {
        CompletableFuture<JobService.Reply> reply = jobs().start(request(false, Duration.ofSeconds(5)));
        Message.StartJob start = driver.next(Message.StartJob.class, WAIT);
        driver.send(new Message.JobStarted(start.jobId(), 1_000));
        result(reply);

        FakeDriver restarted = driver.restarted().ready();
        restarted.next(Message.StartJob.class, WAIT);
        restarted.send(new Message.JobRejected(start.jobId(), Rejection.NO_SLOTS, ErrorInfo.of("no slots", "x")));
        JobInfo job = awaitStatus(start.jobId(), JobStatus.ERROR);
        assertThat(job.error().message()).isEqualTo("no slots");
    }
}
