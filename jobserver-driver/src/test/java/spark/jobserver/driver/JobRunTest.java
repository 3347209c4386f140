package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.Message;

class JobRunTest {
    private final List<Message.JobEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final List<JobRun> ended = Collections.synchronizedList(new ArrayList<>());

    private JobRun newRun() {
        return new JobRun("j", events::add, ended::add);
    }

    @Test
    void terminalStatesAreExactlyTheOutcomes() {
        assertThat(JobState.values())
                .filteredOn(JobState::isTerminal)
                .containsExactlyInAnyOrder(
                        JobState.REJECTED,
                        JobState.VALIDATION_FAILED,
                        JobState.FINISHED,
                        JobState.FAILED,
                        JobState.KILLED);
        for (JobState terminal : JobState.values()) {
            if (terminal.isTerminal()) {
                for (JobState next : JobState.values()) {
                    assertThat(terminal.canMoveTo(next))
                            .as(terminal + " -> " + next)
                            .isFalse();
                }
            }
        }
    }

    @Test
    void theHappyPathPublishesEachEventOnce() {
        JobRun run = newRun();
        assertThat(run.moveTo(JobState.VALIDATING, null)).isTrue();
        assertThat(run.moveTo(JobState.RUNNING, new Message.JobStarted("j", 1))).isTrue();
        assertThat(run.moveTo(JobState.FINISHED, new Message.JobFinished("j", 2, null)))
                .isTrue();
        assertThat(events).containsExactly(new Message.JobStarted("j", 1), new Message.JobFinished("j", 2, null));
        assertThat(ended).containsExactly(run);
        assertThat(run.state()).isEqualTo(JobState.FINISHED);
    }

    @Test
    void nothingLeavesATerminalState() {
        JobRun run = newRun();
        run.moveTo(JobState.KILLED, new Message.JobKilled("j", 1));
        assertThat(run.moveTo(JobState.VALIDATING, null)).isFalse();
        assertThat(run.moveTo(JobState.FAILED, new Message.JobFailed("j", 2, null)))
                .isFalse();
        assertThat(events).containsExactly(new Message.JobKilled("j", 1));
        assertThat(ended).hasSize(1);
    }

    @Test
    void transitionsTheLifecycleForbidsAreBugs() {
        JobRun run = newRun();
        assertThatThrownBy(() -> run.moveTo(JobState.FINISHED, null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> run.moveTo(JobState.VALIDATION_FAILED, null))
                .isInstanceOf(IllegalStateException.class);
        run.moveTo(JobState.VALIDATING, null);
        assertThatThrownBy(() -> run.moveTo(JobState.REJECTED, null)).isInstanceOf(IllegalStateException.class);
        assertThat(events).isEmpty();
    }

    @Test
    void aKillRacingTheJobYieldsExactlyOneOutcome() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2, NamedThreads.daemon("race"));
        try {
            for (int i = 0; i < 500; i++) {
                events.clear();
                JobRun run = newRun();
                run.moveTo(JobState.VALIDATING, null);
                run.moveTo(JobState.RUNNING, new Message.JobStarted("j", 0));
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger winners = new AtomicInteger();
                Future<?> finish = pool.submit(() -> {
                    go.await();
                    if (run.moveTo(JobState.FINISHED, new Message.JobFinished("j", 1, null))) {
                        winners.incrementAndGet();
                    }
                    return null;
                });
                Future<?> kill = pool.submit(() -> {
                    go.await();
                    if (run.moveTo(JobState.KILLED, new Message.JobKilled("j", 1))) {
                        winners.incrementAndGet();
                    }
                    return null;
                });
                go.countDown();
                finish.get(5, TimeUnit.SECONDS);
                kill.get(5, TimeUnit.SECONDS);
                assertThat(winners).hasValue(1);
                assertThat(events).hasSize(2).first().isEqualTo(new Message.JobStarted("j", 0));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskAttachedAfterTheKillIsCancelledAtOnce() {
        JobRun run = newRun();
        run.moveTo(JobState.KILLED, new Message.JobKilled("j", 1));
        CompletableFuture<Void> task = new CompletableFuture<>();
        run.attach(task);
        assertThat(task).isCancelled();
    }

    @Test
    void interruptCancelsTheAttachedTask() {
        JobRun run = newRun();
        CompletableFuture<Void> task = new CompletableFuture<>();
        run.attach(task);
        run.interrupt();
        assertThat(task).isCancelled();
    }
}
