package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.binaries.BinaryInfo;
import spark.jobserver.server.binaries.BinaryService;
import spark.jobserver.server.binaries.ClassPathItems;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextRoutes;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.http.ApiException;

/**
 * Starts jobs in contexts, follows them through the driver's events, records every transition, and
 * answers for them afterwards from the store.
 */
public final class JobService implements ContextService.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);
    static final String KILLED_ERROR_CLASS = "spark.jobserver.JobManagerActor$JobKilledException";

    private final JobStore store;
    private final BinaryService binaries;
    private final ContextService contexts;
    private final Config contextDefaults;
    private final Clock clock;
    private final StreamResultStore streamStore;
    private final StreamResults streams;
    private final JobCallbacks callbacks;
    private final Map<String, Tracker> trackers = new ConcurrentHashMap<>();
    private final ResultLimits limits;
    /** Per job recorded as running: how many heartbeats in a row its driver sent without it. */
    private final Map<String, Integer> missedHeartbeats = new ConcurrentHashMap<>();

    /**
     * @param resultsDir where stream results are kept ({@code <rootdir>/results})
     */
    public JobService(
            JobStore store,
            BinaryService binaries,
            ContextService contexts,
            Config contextDefaults,
            Clock clock,
            StreamResultStore streamStore,
            Path resultsDir,
            JobSettings settings,
            JobCallbacks callbacks) {
        this(
                store,
                binaries,
                contexts,
                contextDefaults,
                clock,
                streamStore,
                resultsDir,
                settings,
                callbacks,
                ServerConfig.JobHistory.defaults());
    }

    /**
     * @param resultsDir where stream results are kept ({@code <rootdir>/results})
     * @param history caps on stored results and errors
     */
    public JobService(
            JobStore store,
            BinaryService binaries,
            ContextService contexts,
            Config contextDefaults,
            Clock clock,
            StreamResultStore streamStore,
            Path resultsDir,
            JobSettings settings,
            JobCallbacks callbacks,
            ServerConfig.JobHistory history) {
        this.limits = new ResultLimits(history.maxResultSize(), history.maxErrorSize());
        this.store = requireNonNull(store, "store is null");
        this.binaries = requireNonNull(binaries, "binaries is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.contextDefaults = requireNonNull(contextDefaults, "contextDefaults is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.streamStore = requireNonNull(streamStore, "streamStore is null");
        this.streams = new StreamResults(resultsDir, settings.maxStreamResultSize(), settings.resultChunkSize());
        this.callbacks = requireNonNull(callbacks, "callbacks is null");
    }

    /**
     * A job request.
     *
     * @param appName the binary (legacy parameters), or null when {@code cp} is used
     * @param cp binary names and URIs, when {@code appName} is not used
     * @param context the context to run in; null for an ad-hoc context
     * @param config the posted job configuration
     * @param callbackUrl where to POST the job's final JSON (already validated); null for none
     */
    public record Request(
            String appName,
            String classPath,
            List<String> cp,
            String context,
            boolean sync,
            Duration timeout,
            Config config,
            String callbackUrl) {
        public Request {
            requireNonNull(classPath, "classPath is null");
            cp = List.copyOf(cp);
            requireNonNull(timeout, "timeout is null");
            requireNonNull(config, "config is null");
        }

        public Request(
                String appName,
                String classPath,
                List<String> cp,
                String context,
                boolean sync,
                Duration timeout,
                Config config) {
            this(appName, classPath, cp, context, sync, timeout, config, null);
        }
    }

    /** What POST /jobs answers. */
    public sealed interface Reply {
        /** Async: the job passed validation and runs. */
        record Started(JobInfo job) implements Reply {}

        /** Sync: the job finished; {@code result} is JSON text. */
        record Finished(String jobId, String result) implements Reply {}

        /** Sync: the job failed or was killed. */
        record Failed(String jobId, ErrorInfo error) implements Reply {}

        /** Sync: the job finished with a stream result, relayed with {@link JobService#relayStream}. */
        record Streamed(String jobId) implements Reply {}
    }

    /** A job between its request and its end, while this server follows it. */
    private static final class Tracker {
        final JobInfo template;
        final CompletableFuture<Message.JobEvent> firstAnswer = new CompletableFuture<>();
        final CompletableFuture<JobInfo> done = new CompletableFuture<>();
        /** The row as inserted when the job started, so that its end needs no read of it; null before. */
        volatile JobInfo started;

        Tracker(JobInfo template) {
            this.template = template;
        }
    }

    // ---------------------------------------------------------------- start

    public CompletableFuture<Reply> start(Request request) {
        List<String> items = classPathItems(request);
        List<BinaryRef> refs = new ArrayList<>();
        for (String item : items) {
            refs.add(resolve(item));
        }
        String appName =
                request.appName() != null ? request.appName() : items.isEmpty() ? null : items.get(items.size() - 1);
        if (request.context() != null) {
            ContextService.LiveContext context = contexts.running(request.context());
            return submit(context, request, appName, items, refs);
        }
        Config own = request.config().hasPath("spark.context-settings")
                ? request.config().getConfig("spark.context-settings")
                : ConfigFactory.empty();
        // As in the original: an ad-hoc context run for a proxy user carries the user's name.
        String proxyUser = own.hasPath("spark.proxy.user") ? own.getString("spark.proxy.user") : "";
        String name = (proxyUser.isBlank() ? "" : proxyUser + "~")
                + UUID.randomUUID().toString().substring(0, 8) + "-" + request.classPath();
        Config settings = own.withFallback(contextDefaults).resolve();
        return contexts.start(name, settings, true)
                .exceptionally(failure -> {
                    ApiException api = ContextRoutes.asApiException(failure);
                    if (api.httpStatus() == 500 && api.body().get("result") instanceof ErrorInfo error) {
                        throw ApiException.withError(500, "ERROR", error);
                    }
                    throw api;
                })
                .thenCompose(info -> {
                    ContextService.LiveContext context = contexts.live(info.id())
                            .orElseThrow(() -> ApiException.error(
                                    500, "Ad-hoc context " + name + " ended before its job started"));
                    CompletableFuture<Reply> reply;
                    try {
                        reply = submit(context, request, appName, items, refs);
                    } catch (RuntimeException e) {
                        stopAdhoc(name);
                        throw e;
                    }
                    return reply;
                });
    }

    private CompletableFuture<Reply> submit(
            ContextService.LiveContext context,
            Request request,
            String appName,
            List<String> items,
            List<BinaryRef> refs) {
        String jobId = UUID.randomUUID().toString();
        JobInfo template = new JobInfo(
                jobId,
                context.id(),
                context.name(),
                appName,
                request.classPath(),
                items,
                Configs.toJson(request.config()),
                JobStatus.RUNNING,
                clock.instant(),
                null,
                null,
                null,
                request.callbackUrl());
        Tracker tracker = new Tracker(template);
        trackers.put(jobId, tracker);
        if (context.isAdhoc()) {
            tracker.done.whenComplete((job, failure) -> stopAdhoc(context.name()));
        }
        try {
            context.send(new Message.StartJob(jobId, request.classPath(), refs, Configs.toJson(request.config())));
        } catch (RuntimeException e) {
            trackers.remove(jobId);
            tracker.done.completeExceptionally(e);
            throw e;
        }
        long timeoutMillis = request.timeout().toMillis();
        // time out copies: orTimeout completes the future it is called on, and the tracker's futures
        // must stay open for the job's real end (an ad-hoc context stops when `done` completes)
        CompletableFuture<Message.JobEvent> first =
                tracker.firstAnswer.copy().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
        return first.handle((event, failure) -> {
                    if (failure != null) {
                        throw timeoutOr(jobId, request.timeout(), failure);
                    }
                    return event;
                })
                .thenCompose(event -> {
                    if (event instanceof Message.JobRejected rejected) {
                        throw rejection(rejected, request.classPath());
                    }
                    if (event instanceof Message.JobValidationFailed failed) {
                        throw ApiException.withError(400, "VALIDATION FAILED", failed.error());
                    }
                    if (!request.sync()) {
                        JobInfo started = tracker.started;
                        return CompletableFuture.completedFuture((Reply) new Reply.Started(
                                started != null ? started : store.get(jobId).orElse(template)));
                    }
                    return tracker.done
                            .copy()
                            .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                            .handle((job, failure) -> {
                                if (failure != null) {
                                    throw timeoutOr(jobId, request.timeout(), failure);
                                }
                                if (job.status() == JobStatus.FINISHED) {
                                    return hasStreamResult(jobId)
                                            ? new Reply.Streamed(jobId)
                                            : (Reply) new Reply.Finished(jobId, job.result());
                                }
                                return new Reply.Failed(jobId, job.error());
                            });
                });
    }

    private static RuntimeException timeoutOr(String jobId, Duration timeout, Throwable failure) {
        Throwable cause = ApiException.causeOf(failure);
        if (cause instanceof TimeoutException) {
            return ApiException.withError(
                    500,
                    "ERROR",
                    new ErrorInfo(
                            "Ask timed out after [" + timeout.toMillis() + " ms]: job " + jobId
                                    + " goes on running; ask GET /jobs/" + jobId + " for its status",
                            "akka.pattern.AskTimeoutException",
                            ""));
        }
        return cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }

    private static ApiException rejection(Message.JobRejected rejected, String classPath) {
        return switch (rejected.reason()) {
            case CLASS_NOT_FOUND -> ApiException.error(404, "classPath " + classPath + " not found");
            case INVALID_JOB_TYPE -> ApiException.error(400, "Invalid job type for this context");
            case LOADING_FAILED -> ApiException.withError(400, "JOB LOADING FAILED", rejected.error());
            case NO_SLOTS ->
                ApiException.labelled(
                        503, "NO SLOTS AVAILABLE", rejected.error().message());
            case CONTEXT_STOPPING -> ApiException.error(409, "Context stop in progress");
        };
    }

    private void stopAdhoc(String name) {
        try {
            contexts.stop(name, false);
        } catch (ApiException e) {
            LOG.debug("Ad-hoc context {} already gone", name);
        }
    }

    private static List<String> classPathItems(Request request) {
        List<String> items = new ArrayList<>();
        if (request.appName() != null) {
            Config config = request.config();
            if (config.hasPath("dependent-jar-uris")) {
                items.addAll(ClassPathItems.list(config, "dependent-jar-uris"));
            }
            items.add(request.appName());
        } else {
            items.addAll(request.cp());
        }
        return items;
    }

    private BinaryRef resolve(String item) {
        java.util.Optional<String> uri = ClassPathItems.asUri(item);
        if (uri.isPresent()) {
            return BinaryRef.uri(uri.get());
        }
        BinaryInfo info;
        try {
            info = binaries.get(item);
        } catch (ApiException e) {
            throw ApiException.error(404, "appName " + item + " not found");
        }
        return BinaryRef.uploaded(item, info.sha256());
    }

    // ---------------------------------------------------------------- driver events

    @Override
    public void jobEvent(ContextInfo context, Message.JobEvent event) {
        Tracker tracker = trackers.get(event.jobId());
        Instant now = clock.instant();
        if (event instanceof Message.JobRejected) {
            trackers.remove(event.jobId());
            if (tracker != null) {
                tracker.firstAnswer.complete(event);
                tracker.done.completeExceptionally(new IllegalStateException("rejected"));
            }
        } else if (event instanceof Message.JobValidationFailed failed) {
            trackers.remove(event.jobId());
            if (tracker != null) {
                JobInfo job = tracker.template.ended(JobStatus.ERROR, now, null, limits.cap(failed.error()));
                store.insert(job);
                tracker.firstAnswer.complete(event);
                tracker.done.complete(job);
                callbacks.jobEnded(job, false);
            }
        } else if (event instanceof Message.JobStarted started) {
            if (tracker != null) {
                JobInfo t = tracker.template;
                JobInfo running = new JobInfo(
                        t.jobId(),
                        t.contextId(),
                        t.contextName(),
                        t.appName(),
                        t.classPath(),
                        t.binaries(),
                        t.config(),
                        JobStatus.RUNNING,
                        Instant.ofEpochMilli(started.startTime()),
                        null,
                        null,
                        null,
                        t.callbackUrl());
                store.insert(running);
                tracker.started = running;
                tracker.firstAnswer.complete(event);
            }
        } else if (event instanceof Message.JobFinished finished) {
            end(
                    event.jobId(),
                    JobStatus.FINISHED,
                    Instant.ofEpochMilli(finished.endTime()),
                    finished.result() == null ? "null" : finished.result().toString(),
                    null);
        } else if (event instanceof Message.JobFailed failed) {
            end(event.jobId(), JobStatus.ERROR, Instant.ofEpochMilli(failed.endTime()), null, failed.error());
        } else if (event instanceof Message.JobKilled killed) {
            end(
                    event.jobId(),
                    JobStatus.KILLED,
                    Instant.ofEpochMilli(killed.endTime()),
                    null,
                    killedError(event.jobId()));
        } else if (event instanceof Message.JobStreamFinished finished) {
            streamFinished(finished);
        }
    }

    private boolean end(String jobId, JobStatus status, Instant endTime, String result, ErrorInfo error) {
        return end(jobId, status, endTime, result, error, false);
    }

    /** Records the end of a job unless it has ended already; returns whether it had not. */
    private boolean end(
            String jobId, JobStatus status, Instant endTime, String result, ErrorInfo error, boolean stream) {
        Tracker tracker = trackers.remove(jobId);
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
            callbacks.jobEnded(ended, stream);
        } else {
            ended = store.get(jobId).orElse(ended);
        }
        if (tracker != null) {
            tracker.done.complete(ended);
        }
        return changed;
    }

    // ---------------------------------------------------------------- stream results

    /** The driver uploaded the job's stream (or tried to): the job is FINISHED with it, or ERROR if it is not whole. */
    private void streamFinished(Message.JobStreamFinished finished) {
        String jobId = finished.jobId();
        long stored = streams.storedSize(jobId);
        if (stored != finished.size()) {
            String problem = stored < 0
                    ? "never arrived"
                    : "arrived incomplete (" + stored + " of " + finished.size() + " bytes)";
            streams.delete(jobId);
            end(
                    jobId,
                    JobStatus.ERROR,
                    Instant.ofEpochMilli(finished.endTime()),
                    null,
                    ErrorInfo.of("The result stream of job " + jobId + " " + problem, "java.io.IOException"));
            return;
        }
        // Recorded before the job is FINISHED: whoever sees it finished also sees its result is a stream.
        streamStore.insert(jobId, stored, clock.instant());
        if (!end(jobId, JobStatus.FINISHED, Instant.ofEpochMilli(finished.endTime()), null, null, true)) {
            streamStore.delete(jobId);
            streams.delete(jobId);
        }
    }

    /**
     * Receives the bytes of a job's stream result from the driver of context {@code contextId}.
     *
     * @param declaredLength the request's Content-Length, or -1
     * @return the number of bytes received
     */
    public long receiveStream(String contextId, String jobId, InputStream body, long declaredLength) {
        Tracker tracker = trackers.get(jobId);
        String owner = tracker != null
                ? tracker.template.contextId()
                : store.get(jobId).map(JobInfo::contextId).orElse(null);
        if (owner == null) {
            throw ApiException.error(404, "No such job ID " + jobId);
        }
        if (!owner.equals(contextId)) {
            throw ApiException.error(403, "Job " + jobId + " does not run in this driver's context");
        }
        JobStatus status = store.get(jobId).map(JobInfo::status).orElse(JobStatus.RUNNING);
        if (status.isTerminal()) {
            throw ApiException.error(409, "Job " + jobId + " is not running (" + status + ")");
        }
        try {
            return streams.receive(jobId, body, declaredLength);
        } catch (StreamResults.TooLargeException e) {
            LOG.warn("Job {}: {}", jobId, e.getMessage());
            end(
                    jobId,
                    JobStatus.ERROR,
                    clock.instant(),
                    null,
                    ErrorInfo.of(e.getMessage(), "spark.jobserver.ResultTooLargeException"));
            throw ApiException.error(413, e.getMessage());
        } catch (IOException e) {
            LOG.warn("Job {}: receiving its result stream failed", jobId, e);
            throw ApiException.error(500, "Receiving the result stream of job " + jobId + " failed: " + e.getMessage());
        }
    }

    /** Whether the job finished with a stream result. */
    public boolean hasStreamResult(String jobId) {
        return streamStore.size(jobId).isPresent();
    }

    /** How large the chunks of a relayed stream result are ({@code spark.jobserver.result-chunk-size}). */
    public int resultChunkSize() {
        return streams.chunkSize();
    }

    /** Writes {@code prefix}, the job's stream result and {@code suffix} to {@code out}, chunked, from disk. */
    public void relayStream(String jobId, byte[] prefix, byte[] suffix, OutputStream out) throws IOException {
        streams.relay(jobId, prefix, suffix, out);
    }

    /**
     * Jobs recorded as running that the driver no longer runs had their end lost (sent while the server
     * was dying, before it was recorded): after two heartbeats in a row without them they end ERROR, so
     * nothing stays RUNNING forever. Two, because a job's end may be in flight past one heartbeat.
     */
    @Override
    public void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {
        java.util.Set<String> running = java.util.Set.copyOf(heartbeat.runningJobs());
        for (JobInfo job : store.unfinishedInContext(context.id())) {
            if (running.contains(job.jobId())) {
                missedHeartbeats.remove(job.jobId());
            } else if (missedHeartbeats.merge(job.jobId(), 1, Integer::sum) >= 2) {
                missedHeartbeats.remove(job.jobId());
                LOG.warn(
                        "Job {} is no longer run by the driver of context {}: its end was lost",
                        job.jobId(),
                        context.name());
                end(
                        job.jobId(),
                        JobStatus.ERROR,
                        clock.instant(),
                        null,
                        ErrorInfo.of(
                                "Job " + job.jobId()
                                        + " is no longer run by the driver of context " + context.name()
                                        + ": it ended while the server"
                                        + " could not record it, and its result is lost",
                                "java.lang.IllegalStateException"));
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
                end(job.jobId(), JobStatus.KILLED, clock.instant(), null, killedError(job.jobId()));
            } else {
                end(job.jobId(), JobStatus.ERROR, clock.instant(), null, error);
            }
        }
        trackers.values().removeIf(tracker -> {
            if (!context.id().equals(tracker.template.contextId())) {
                return false;
            }
            ApiException failure = ApiException.withError(500, "ERROR", error);
            tracker.firstAnswer.completeExceptionally(failure);
            tracker.done.completeExceptionally(failure);
            return true;
        });
    }

    static ErrorInfo killedError(String jobId) {
        return new ErrorInfo("Job " + jobId + " killed", KILLED_ERROR_CLASS, "");
    }

    // ---------------------------------------------------------------- queries and kill

    public JobInfo get(String jobId) {
        return store.get(jobId).orElseThrow(() -> ApiException.error(404, "No such job ID " + jobId));
    }

    public List<JobInfo> list(int limit, JobStatus status) {
        return store.list(limit, status);
    }

    public List<String> unfinishedUsingBinary(String appName) {
        return store.unfinishedUsingBinary(appName);
    }

    /**
     * Kills a running job: cancels its Spark job group and interrupts its thread. The job is KILLED
     * whether or not its code obeys.
     *
     * @return the job as it is now (KILLED, or ERROR when it had already failed)
     */
    public JobInfo kill(String jobId) {
        JobInfo job = get(jobId);
        if (job.status() == JobStatus.ERROR) {
            return job;
        }
        if (job.status().isTerminal()) {
            throw ApiException.error(404, "No running job with ID " + jobId);
        }
        contexts.live(job.contextId()).ifPresent(context -> {
            try {
                context.send(new Message.KillJob(jobId));
            } catch (RuntimeException e) {
                LOG.warn("Could not reach the driver of context {} to kill job {}", job.contextName(), jobId, e);
            }
        });
        end(jobId, JobStatus.KILLED, clock.instant(), null, killedError(jobId));
        return get(jobId);
    }

    /** Deletes stored stream results whose jobs were pruned from the history; run after each pruning. */
    public int deleteOrphanStreamResults() {
        return streams.deleteOrphans(jobId -> store.get(jobId).isPresent());
    }
}
