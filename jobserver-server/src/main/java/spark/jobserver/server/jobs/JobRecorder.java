package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.binaries.ClassPathItems;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.contexts.ContextEvents;
import spark.jobserver.server.contexts.ContextHandle;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.http.ApiException;

/**
 * Records what drivers tell of their jobs: every transition into the store, each job's end exactly once
 * (a kill wins over a late finish), its callback, and the answer a waiting request gets. Runs on the
 * event thread of the job's context ({@link ContextEvents}), except kills and oversized uploads.
 */
public final class JobRecorder implements ContextEvents {
    private static final Logger LOG = LoggerFactory.getLogger(JobRecorder.class);
    static final String KILLED_ERROR_CLASS = "spark.jobserver.JobManagerActor$JobKilledException";

    private final JobStore store;
    private final StreamResultStore streamStore;
    private final StreamResults streams;
    private final JobCallbacks callbacks;
    private final ResultLimits limits;
    private final Function<String, Optional<BinaryRef>> binaries;
    private final Clock clock;
    private final JobListener listener;
    private final JobTrackers trackers = new JobTrackers();
    /** Per job recorded as running: how many heartbeats in a row its driver sent without it. */
    private final Map<String, Integer> missedHeartbeats = new ConcurrentHashMap<>();

    /**
     * @param streams where the bytes of stream results are kept
     * @param history caps on stored results and errors
     * @param binaries the newest uploaded binary of a name, if there is one (to start jobs again on a
     *     restarted driver)
     * @param listener told of every job's start and end
     */
    public JobRecorder(
            JobStore store,
            StreamResultStore streamStore,
            StreamResults streams,
            JobCallbacks callbacks,
            ServerConfig.JobHistory history,
            Function<String, Optional<BinaryRef>> binaries,
            JobListener listener,
            Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.streamStore = requireNonNull(streamStore, "streamStore is null");
        this.streams = requireNonNull(streams, "streams is null");
        this.callbacks = requireNonNull(callbacks, "callbacks is null");
        this.limits = new ResultLimits(history.maxResultSize(), history.maxErrorSize());
        this.binaries = requireNonNull(binaries, "binaries is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Jobs accepted and not ended. */
    public int jobsInFlight() {
        return trackers.size();
    }

    JobTrackers trackers() {
        return trackers;
    }

    @Override
    public void jobEvent(ContextInfo context, Message.JobEvent event) {
        String jobId = event.jobId();
        if (event instanceof Message.JobRejected rejected) {
            JobTrackers.Tracker tracker = trackers.get(jobId).orElse(null);
            if (tracker != null && tracker.started != null) {
                // a job started again on a restarted driver, and refused there: it ends, with the reason
                end(jobId, JobStatus.ERROR, clock.instant(), null, rejected.error(), false);
            } else if (tracker != null) {
                trackers.remove(jobId);
                tracker.firstAnswer.complete(event);
                tracker.done.completeExceptionally(new IllegalStateException("rejected"));
            } else if (store.get(jobId).filter(j -> !j.status().isTerminal()).isPresent()) {
                end(jobId, JobStatus.ERROR, clock.instant(), null, rejected.error(), false);
            }
        } else if (event instanceof Message.JobValidationFailed failed) {
            trackers.remove(jobId).ifPresent(tracker -> {
                JobInfo job =
                        tracker.template.ended(JobStatus.ERROR, clock.instant(), null, limits.cap(failed.error()));
                store.insert(job);
                tracker.firstAnswer.complete(event);
                tracker.done.complete(job);
                listener.jobEnded(job, tracker.adhoc);
                callbacks.jobEnded(job, false);
            });
        } else if (event instanceof Message.JobStarted started) {
            trackers.get(jobId).ifPresent(tracker -> {
                if (tracker.started == null) { // not when it starts again on a restarted driver: recorded already
                    JobInfo running = tracker.template.startedAt(Instant.ofEpochMilli(started.startTime()));
                    LOG.info("Job {} in context {}: RUNNING ({})", jobId, running.contextName(), running.classPath());
                    store.insert(running);
                    tracker.started = running;
                    listener.jobStarted(running, tracker.adhoc);
                }
                tracker.firstAnswer.complete(event);
            });
        } else if (event instanceof Message.JobFinished finished) {
            end(
                    jobId,
                    JobStatus.FINISHED,
                    Instant.ofEpochMilli(finished.endTime()),
                    finished.result() == null ? "null" : finished.result().toString(),
                    null,
                    false);
        } else if (event instanceof Message.JobFailed failed) {
            end(jobId, JobStatus.ERROR, Instant.ofEpochMilli(failed.endTime()), null, failed.error(), false);
        } else if (event instanceof Message.JobKilled killed) {
            end(jobId, JobStatus.KILLED, Instant.ofEpochMilli(killed.endTime()), null, killedError(jobId), false);
        } else if (event instanceof Message.JobStreamFinished finished) {
            streamFinished(finished);
        }
    }

    /**
     * Records the end of a job unless it has ended already; returns whether it had not.
     *
     * @param stream whether the result is a stream (for the callback)
     */
    boolean end(String jobId, JobStatus status, Instant endTime, String result, ErrorInfo error, boolean stream) {
        JobTrackers.Tracker tracker = trackers.remove(jobId).orElse(null);
        // The row as this server stored it at the start; a change since (a kill) makes finish() a no-op.
        JobInfo current = tracker != null && tracker.started != null
                ? tracker.started
                : store.get(jobId).orElse(null);
        if (current == null) {
            LOG.warn("Event for unknown job {}", jobId);
            return false;
        }
        missedHeartbeats.remove(jobId);
        ResultLimits.End capped = limits.apply(jobId, status, result, error);
        JobInfo ended = current.ended(capped.status(), endTime, capped.result(), capped.error());
        boolean changed = store.finish(ended);
        if (changed) {
            LOG.info("Job {} in context {}: {}", jobId, current.contextName(), ended.status());
            listener.jobEnded(ended, tracker != null && tracker.adhoc);
            callbacks.jobEnded(ended, stream);
        } else {
            ended = store.get(jobId).orElse(ended);
        }
        if (tracker != null) {
            tracker.done.complete(ended);
        }
        return changed;
    }

    /** The driver uploaded the job's stream (or tried to): the job is FINISHED with it, or ERROR if it is not whole. */
    private void streamFinished(Message.JobStreamFinished finished) {
        String jobId = finished.jobId();
        if (trackers.get(jobId).isEmpty()
                && store.get(jobId).filter(j -> j.status().isTerminal()).isPresent()) {
            return; // sent again after a reconnection: recorded already (the bytes may be on another server)
        }
        Instant endTime = Instant.ofEpochMilli(finished.endTime());
        long stored = streams.storedSize(jobId);
        if (stored != finished.size()) {
            String problem = stored < 0
                    ? "never arrived"
                    : "arrived incomplete (" + stored + " of " + finished.size() + " bytes)";
            streams.delete(jobId);
            end(
                    jobId,
                    JobStatus.ERROR,
                    endTime,
                    null,
                    ErrorInfo.of("The result stream of job " + jobId + " " + problem, "java.io.IOException"),
                    false);
            return;
        }
        // Recorded before the job is FINISHED: whoever sees it finished also sees its result is a stream.
        streamStore.insert(jobId, stored, clock.instant());
        if (!end(jobId, JobStatus.FINISHED, endTime, null, null, true)) {
            streamStore.delete(jobId);
            streams.delete(jobId);
        }
    }

    /**
     * The context's driver was restarted (supervise): every job that had not ended is started again on it,
     * with its stored class, binaries (their newest version) and configuration, as the original does. A
     * job whose binary is gone ends ERROR, saying so.
     */
    @Override
    public void driverRestarted(ContextInfo info, ContextHandle context) {
        for (JobInfo job : store.unfinishedInContext(info.id())) {
            List<BinaryRef> refs = new ArrayList<>();
            String missing = null;
            for (String item : job.binaries()) {
                Optional<String> uri = ClassPathItems.asUri(item);
                if (uri.isPresent()) {
                    refs.add(BinaryRef.uri(uri.get()));
                } else {
                    Optional<BinaryRef> ref = binaries.apply(item);
                    if (ref.isEmpty()) {
                        missing = item;
                        break;
                    }
                    refs.add(ref.get());
                }
            }
            if (missing != null) {
                notRestarted(job, info, "its binary " + missing + " is gone");
                continue;
            }
            missedHeartbeats.remove(job.jobId());
            try {
                context.send(new Message.StartJob(job.jobId(), job.classPath(), refs, job.config()));
                LOG.info("Job {} started again on the restarted driver of context {}", job.jobId(), info.name());
            } catch (RuntimeException e) {
                notRestarted(job, info, e.getMessage());
            }
        }
    }

    private void notRestarted(JobInfo job, ContextInfo info, String why) {
        endLost(
                job.jobId(),
                "Job " + job.jobId() + " could not be started again after the driver of context " + info.name()
                        + " was restarted: " + why);
    }

    /** Ends a job the driver no longer runs: ERROR now, with {@code message}. */
    private void endLost(String jobId, String message) {
        end(
                jobId,
                JobStatus.ERROR,
                clock.instant(),
                null,
                ErrorInfo.of(message, "java.lang.IllegalStateException"),
                false);
    }

    /**
     * Jobs recorded as running that the driver no longer runs had their end lost (sent while the server
     * was dying, before it was recorded): after two heartbeats in a row without them they end ERROR, so
     * nothing stays RUNNING forever. Two, because a job's end may be in flight past one heartbeat.
     */
    @Override
    public void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {
        Set<String> running = Set.copyOf(heartbeat.runningJobs());
        for (JobInfo job : store.unfinishedInContext(context.id())) {
            if (running.contains(job.jobId())) {
                missedHeartbeats.remove(job.jobId());
            } else if (missedHeartbeats.merge(job.jobId(), 1, Integer::sum) >= 2) {
                missedHeartbeats.remove(job.jobId());
                LOG.warn(
                        "Job {} is no longer run by the driver of context {}: its end was lost",
                        job.jobId(),
                        context.name());
                endLost(
                        job.jobId(),
                        "Job " + job.jobId() + " is no longer run by the driver of context " + context.name()
                                + ": it ended while the server could not record it, and its result is lost");
            }
        }
    }

    @Override
    public void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason) {
        ErrorInfo error = reason != null
                ? reason
                : ErrorInfo.of(
                        "Context " + context.name() + " stopped while the job was running",
                        "java.lang.IllegalStateException");
        for (JobInfo job : store.unfinishedInContext(context.id())) {
            if (stoppedByUser) {
                end(job.jobId(), JobStatus.KILLED, clock.instant(), null, killedError(job.jobId()), false);
            } else {
                end(job.jobId(), JobStatus.ERROR, clock.instant(), null, error, false);
            }
        }
        trackers.failAll(context.id(), ApiException.withError(500, "ERROR", error));
    }

    /** Requests waiting here on the context's jobs are told to ask again: another server has the context now. */
    @Override
    public void contextMoved(ContextInfo context) {
        trackers.failAll(
                context.id(),
                ApiException.error(
                        503,
                        "Context " + context.name() + " moved to another server while the job ran; its status and"
                                + " result are at GET /jobs/<id> on any server"));
    }

    static ErrorInfo killedError(String jobId) {
        return new ErrorInfo("Job " + jobId + " killed", KILLED_ERROR_CLASS, "");
    }
}
