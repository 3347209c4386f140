package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;

/**
 * One job's state machine. The job's own thread and whoever kills it race to move it on; whoever
 * reaches a terminal state first sends the job's last event, and every later transition is refused, so
 * the server never hears two outcomes for one job.
 */
final class JobRun {
    private static final Logger log = LoggerFactory.getLogger(JobRun.class);

    private final String jobId;
    private final JobEvents events;
    private final Consumer<JobRun> onTerminal;

    private JobState state = JobState.LOADING;
    private Future<?> future;

    /**
     * @param onTerminal called once, outside the lock, when the job reaches a terminal state
     */
    JobRun(String jobId, JobEvents events, Consumer<JobRun> onTerminal) {
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.events = requireNonNull(events, "events is null");
        this.onTerminal = requireNonNull(onTerminal, "onTerminal is null");
    }

    String jobId() {
        return jobId;
    }

    synchronized JobState state() {
        return state;
    }

    /**
     * Moves to {@code next} and publishes {@code event}, unless the job already reached a terminal state.
     *
     * @param event the event announcing the new state; null for none
     * @return whether the transition happened (false: the job was killed or finished meanwhile)
     * @throws IllegalStateException when the lifecycle does not allow the transition (a bug)
     */
    boolean moveTo(JobState next, Message.JobEvent event) {
        requireNonNull(next, "next is null");
        synchronized (this) {
            if (state.isTerminal()) {
                log.debug("Job {}: ignoring {} -> {}, the job is already over", jobId, state, next);
                return false;
            }
            if (!state.canMoveTo(next)) {
                throw new IllegalStateException("job " + jobId + " cannot go from " + state + " to " + next);
            }
            state = next;
            // Published under the lock: a kill racing with this transition must not overtake its event,
            // or the server could see JobStarted after JobKilled. Publishing only queues, it never blocks.
            if (event != null) {
                events.publish(event);
            }
        }
        if (next.isTerminal()) {
            onTerminal.accept(this);
        }
        return true;
    }

    /** Remembers the job's task so a kill can interrupt it; cancels it at once if the job was killed already. */
    void attach(Future<?> task) {
        boolean killed;
        synchronized (this) {
            future = task;
            killed = state == JobState.KILLED;
        }
        if (killed) {
            task.cancel(true);
        }
    }

    /** Interrupts the job's thread (or keeps the task from starting). */
    void interrupt() {
        Future<?> task;
        synchronized (this) {
            task = future;
        }
        if (task != null) {
            task.cancel(true);
        }
    }

    @Override
    public synchronized String toString() {
        return "JobRun[" + jobId + ", " + state + "]";
    }
}
