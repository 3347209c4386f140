package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;

/**
 * Tells the server how far each job's Spark work is: a {@link ProgressListener} on the context's Spark
 * listener bus keeps the picture; {@link #sendChanged} (run every {@code driver.progress-interval}) sends
 * the whole picture of each job whose picture changed, so that a job with thousands of tasks sends one
 * message an interval, whatever its tasks do; and every job's last picture goes out just before its end
 * event ({@link #withFinalReports}), so that the server has it when it records the end.
 */
final class ProgressReporter implements ProgressTracking {
    private static final Logger log = LoggerFactory.getLogger(ProgressReporter.class);

    /** Spark's listener queue of our own: a slow listener of the application does not hold ours up. */
    static final String QUEUE = "jobserverProgress";

    private final SparkContext sc;
    private final ProgressListener listener;
    private final Duration settleTimeout;
    /** Held while reports are queued: the periodic ones, and a job's last one with its end. */
    private final Object sending = new Object();

    ProgressReporter(SparkContext sc, ProgressListener listener, Duration settleTimeout) {
        this.sc = requireNonNull(sc, "sc is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.settleTimeout = requireNonNull(settleTimeout, "settleTimeout is null");
    }

    /**
     * Adds a listener to {@code sc}'s listener bus.
     *
     * @param settleTimeout the longest a job's end waits for the listener to catch up with its Spark work
     */
    static ProgressReporter attach(SparkContext sc, Duration settleTimeout) {
        ProgressListener listener = new ProgressListener();
        // Spark's listenerBus is private[spark] in Scala, public in the byte code; the public
        // addSparkListener would share a queue (and its thread) with the application's listeners.
        sc.listenerBus().addToQueue(listener, QUEUE);
        return new ProgressReporter(sc, listener, settleTimeout);
    }

    ProgressListener listener() {
        return listener;
    }

    @Override
    public void jobBegins(String jobId) {
        listener.begin(jobId);
    }

    @Override
    public void beforeEnd(String jobId, boolean failed) {
        if (!listener.follows(jobId) || sc.isStopped()) {
            return;
        }
        long start = System.nanoTime();
        // A Spark job that succeeded posted its end before its action returned: a mark posted now reaches
        // the listener after every event of the job's finished Spark work.
        ProgressListener.Mark mark = new ProgressListener.Mark();
        sc.listenerBus().post(mark);
        try {
            boolean seen = mark.reached.await(settleTimeout.toMillis(), TimeUnit.MILLISECONDS);
            // One that failed posts its end just after its action threw.
            if (seen && failed) {
                seen = listener.awaitNoneRunning(jobId, settleTimeout.minusNanos(System.nanoTime() - start));
            }
            if (!seen) {
                log.debug("Job {}: its Spark work is not all seen; its last progress report may be short", jobId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void forget(String jobId) {
        listener.end(jobId);
    }

    /**
     * Sends, through {@code send}, the picture of every job whose picture changed since the last call.
     * Never throws (it runs on a schedule).
     */
    void sendChanged(Consumer<Message.ToServer> send) {
        send(send, false);
    }

    /**
     * Sends, through {@code send}, the picture of every job, or of those whose picture changed since the
     * last call (a server that was away has none of them). Never throws (it runs on a schedule).
     */
    void send(Consumer<Message.ToServer> send, boolean all) {
        // Under the lock a job's end takes: a report built before the end cannot be queued after it.
        synchronized (sending) {
            sendReports(send, all);
        }
    }

    private void sendReports(Consumer<Message.ToServer> send, boolean all) {
        try {
            for (Map.Entry<String, ProgressReport> report :
                    listener.reports(all).entrySet()) {
                send.accept(new Message.JobProgress(report.getKey(), report.getValue()));
            }
        } catch (RuntimeException e) {
            log.warn("Sending progress reports failed", e);
        }
    }

    /**
     * {@code events}, with each job's last picture sent through {@code send} (in order with the events)
     * just before the event that ends it; the job is forgotten then.
     */
    JobEvents withFinalReports(JobEvents events, Consumer<Message.ToServer> send) {
        return event -> {
            if (ends(event)) {
                synchronized (sending) {
                    ProgressReport last = listener.end(event.jobId());
                    if (last != null) {
                        send.accept(new Message.JobProgress(event.jobId(), last));
                    }
                    events.publish(event);
                }
            } else {
                events.publish(event);
            }
        };
    }

    private static boolean ends(Message.JobEvent event) {
        return event instanceof Message.JobFinished
                || event instanceof Message.JobFailed
                || event instanceof Message.JobKilled
                || event instanceof Message.JobStreamFinished
                || event instanceof Message.JobValidationFailed
                || event instanceof Message.JobRejected;
    }
}
