package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.contexts.ContextEvents;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextRoutes;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobListener;
import spark.jobserver.server.jobs.JobRoutes;
import spark.jobserver.server.progress.JobProgressRoutes;

/**
 * Turns what contexts and jobs report into events of the stream: {@code context} after each recorded
 * change of a context, {@code job} when a job starts and ends, {@code progress} for a driver's progress
 * reports, at most one per job per interval (the latest report of an interval is sent at its end, and
 * before the job's end event, so the last state is never lost).
 */
public final class EventFollower implements ContextEvents, JobListener {
    private final EventLog log;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final long intervalMillis;
    private static final TypeReference<Map<String, Object>> AS_MAP = new TypeReference<>() {};
    private final Map<String, Throttle> throttles = new HashMap<>();

    /** A job's progress events: when one was last sent, and the report held back since. */
    private static final class Throttle {
        final String contextName;
        long lastSent = Long.MIN_VALUE;
        ProgressReport pending;
        boolean flushScheduled;

        Throttle(String contextName) {
            this.contextName = contextName;
        }
    }

    /**
     * @param scheduler where held-back progress reports are sent at the end of their interval
     * @param progressInterval the least time between two progress events of one job
     */
    EventFollower(EventLog log, Clock clock, ScheduledExecutorService scheduler, Duration progressInterval) {
        this.log = requireNonNull(log, "log is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.intervalMillis = progressInterval.toMillis();
    }

    @Override
    public void contextChanged(ContextInfo context) {
        log.publish(ServerEvent.CONTEXT, context.name(), null, ContextRoutes.render(context));
    }

    @Override
    public void jobStarted(JobInfo job, boolean adhoc) {
        publishJob(job);
    }

    @Override
    public void jobEnded(JobInfo job, boolean adhoc) {
        synchronized (this) {
            Throttle throttle = throttles.remove(job.jobId());
            if (throttle != null && throttle.pending != null) {
                publishProgress(throttle.contextName, job.jobId(), throttle.pending);
            }
            publishJob(job);
        }
    }

    @Override
    public void jobProgress(ContextInfo context, Message.JobProgress progress) {
        String jobId = progress.jobId();
        synchronized (this) {
            Throttle throttle = throttles.computeIfAbsent(jobId, id -> new Throttle(context.name()));
            long now = clock.millis();
            if (throttle.pending == null
                    && (throttle.lastSent == Long.MIN_VALUE || now - throttle.lastSent >= intervalMillis)) {
                throttle.lastSent = now;
                publishProgress(throttle.contextName, jobId, progress.progress());
                return;
            }
            throttle.pending = progress.progress();
            if (!throttle.flushScheduled) {
                throttle.flushScheduled = true;
                long delay = Math.max(0, throttle.lastSent + intervalMillis - now);
                scheduler.schedule(() -> flush(jobId), delay, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Sends the report held back for {@code jobId}, if the job has not ended meanwhile. */
    private synchronized void flush(String jobId) {
        Throttle throttle = throttles.get(jobId);
        if (throttle == null) {
            return;
        }
        throttle.flushScheduled = false;
        if (throttle.pending != null) {
            throttle.lastSent = clock.millis();
            publishProgress(throttle.contextName, jobId, throttle.pending);
            throttle.pending = null;
        }
    }

    private void publishJob(JobInfo job) {
        log.publish(
                ServerEvent.JOB,
                job.contextName().isEmpty() ? null : job.contextName(),
                job.jobId(),
                JobRoutes.report(job, false));
    }

    private void publishProgress(String contextName, String jobId, ProgressReport report) {
        // what GET /jobs/<id>/progress shows; a job reporting progress runs
        Map<String, Object> data =
                Json.MAPPER.convertValue(JobProgressRoutes.JobProgress.of(jobId, "RUNNING", report), AS_MAP);
        log.publish(ServerEvent.PROGRESS, contextName, jobId, data);
    }
}
