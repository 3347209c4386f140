package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
import spark.jobserver.server.config.AdmissionSettings;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.contexts.ContextHandle;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.contexts.ContextStartException;
import spark.jobserver.server.http.ApiException;

/**
 * Starts jobs in contexts (or in an ad-hoc context of their own), kills them, and answers for them from
 * the store. What drivers report of jobs is recorded by {@link JobRecorder}.
 */
public final class JobService {
    private static final Logger LOG = LoggerFactory.getLogger(JobService.class);

    private final JobStore store;
    private final BinaryService binaries;
    private final ContextService contexts;
    private final JobRecorder recorder;
    private final StreamResultService streams;
    private final Config contextDefaults;
    private final Clock clock;
    private final AdmissionSettings admission;

    public JobService(
            JobStore store,
            BinaryService binaries,
            ContextService contexts,
            JobRecorder recorder,
            StreamResultService streams,
            Config contextDefaults,
            Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.binaries = requireNonNull(binaries, "binaries is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.streams = requireNonNull(streams, "streams is null");
        this.contextDefaults = requireNonNull(contextDefaults, "contextDefaults is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.admission = contexts.admission();
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
    }

    /** What POST /jobs answers. */
    public sealed interface Reply {
        /** Async: the job passed validation and runs. */
        record Started(JobInfo job) implements Reply {}

        /** Sync: the job finished; {@code result} is JSON text. */
        record Finished(String jobId, String result) implements Reply {}

        /** Sync: the job failed or was killed. */
        record Failed(String jobId, ErrorInfo error) implements Reply {}

        /** Sync: the job finished with a stream result, relayed with {@link StreamResultService#relay}. */
        record Streamed(String jobId) implements Reply {}
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts a job. The returned future completes on the event thread of the job's context: whoever writes
     * an HTTP reply from it moves to a thread of its own first.
     */
    public CompletableFuture<Reply> start(Request request) {
        List<String> items = classPathItems(request);
        List<BinaryRef> refs = new ArrayList<>();
        for (String item : items) {
            refs.add(resolve(item));
        }
        String appName =
                request.appName() != null ? request.appName() : items.isEmpty() ? null : items.get(items.size() - 1);
        if (request.context() != null) {
            return submit(contexts.running(request.context()), request, appName, items, refs);
        }
        Config own;
        String proxyUser;
        try {
            own = request.config().hasPath("spark.context-settings")
                    ? request.config().getConfig("spark.context-settings")
                    : ConfigFactory.empty();
            // As in the original: an ad-hoc context run for a proxy user carries the user's name.
            proxyUser = own.hasPath("spark.proxy.user") ? own.getString("spark.proxy.user") : "";
        } catch (ConfigException e) {
            throw ApiException.error(400, "Cannot parse config: " + e.getMessage());
        }
        String name = (proxyUser.isBlank() ? "" : proxyUser + "~")
                + UUID.randomUUID().toString().substring(0, 8) + "-" + request.classPath();
        Config settings = own.withFallback(contextDefaults).resolve();
        return contexts.start(name, settings, true)
                .exceptionally(failure -> {
                    ApiException api = ContextStartException.asApiException(failure);
                    if (api.httpStatus() == 500 && api.body().get("result") instanceof ErrorInfo error) {
                        throw ApiException.withError(500, "ERROR", error);
                    }
                    throw api;
                })
                .thenCompose(info -> {
                    ContextHandle context = contexts.live(info.id())
                            .orElseThrow(() -> ApiException.error(
                                    500, "Ad-hoc context " + name + " ended before its job started"));
                    try {
                        return submit(context, request, appName, items, refs);
                    } catch (RuntimeException e) {
                        stopAdhoc(name);
                        throw e;
                    }
                });
    }

    private CompletableFuture<Reply> submit(
            ContextHandle context, Request request, String appName, List<String> items, List<BinaryRef> refs) {
        int waiting = recorder.trackers().waiting(context.id());
        if (waiting >= admission.maxWaitingJobsPerContext()) {
            throw ApiException.error(
                            429,
                            "Too many jobs waiting for context " + context.name() + " to take them (" + waiting
                                    + " of at most " + admission.maxWaitingJobsPerContext() + "); try again shortly")
                    .retryAfter(admission.retryAfter());
        }
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
        JobTrackers.Tracker tracker = recorder.trackers().add(template, context.isAdhoc());
        if (context.isAdhoc()) {
            tracker.done.whenComplete((job, failure) -> stopAdhoc(context.name()));
        }
        try {
            context.send(new Message.StartJob(jobId, request.classPath(), refs, Configs.toJson(request.config())));
        } catch (RuntimeException e) {
            recorder.trackers().remove(jobId);
            tracker.done.completeExceptionally(e);
            throw e;
        }
        long timeoutMillis = request.timeout().toMillis();
        // time out copies: orTimeout completes the future it is called on, and the tracker's futures
        // must stay open for the job's real end (an ad-hoc context stops when `done` completes)
        return tracker.firstAnswer
                .copy()
                .orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((event, failure) -> {
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
                                    return streams.hasStreamResult(jobId)
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
            contexts.stop(name, false).exceptionally(failure -> {
                LOG.debug("Ad-hoc context {} already gone", name);
                return false;
            });
        } catch (ApiException e) {
            LOG.debug("Ad-hoc context {} already gone", name);
        }
    }

    private static List<String> classPathItems(Request request) {
        List<String> items = new ArrayList<>();
        if (request.appName() != null) {
            Config config = request.config();
            if (config.hasPath("dependent-jar-uris")) {
                try {
                    items.addAll(ClassPathItems.list(config, "dependent-jar-uris"));
                } catch (ConfigException e) {
                    throw ApiException.error(400, "Cannot parse config: " + e.getMessage());
                }
            }
            items.add(request.appName());
        } else {
            items.addAll(request.cp());
        }
        return items;
    }

    private BinaryRef resolve(String item) {
        Optional<String> uri = ClassPathItems.asUri(item);
        if (uri.isPresent()) {
            return BinaryRef.uri(uri.get());
        }
        BinaryInfo info;
        try {
            info = binaries.get(item);
        } catch (ApiException e) {
            throw ApiException.error(404, "appName " + item + " not found");
        }
        return BinaryService.ref(info);
    }

    // ---------------------------------------------------------------- queries and kill

    public JobInfo get(String jobId) {
        return store.get(jobId).orElseThrow(() -> ApiException.error(404, "No such job ID " + jobId));
    }

    /**
     * Throws {@link spark.jobserver.server.ha.ContextElsewhere} when the job runs in a context another server
     * has (with several servers on the database): what only that server knows of it is asked there.
     */
    public void requireContextHere(JobInfo job) {
        if (!job.status().isTerminal() && job.contextId() != null) {
            contexts.requireHere(job.contextId(), job.contextName());
        }
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
        requireContextHere(job); // another server's: the request goes there
        contexts.live(job.contextId()).ifPresent(context -> {
            try {
                context.send(new Message.KillJob(jobId));
            } catch (RuntimeException e) {
                LOG.warn("Could not reach the driver of context {} to kill job {}", job.contextName(), jobId, e);
            }
        });
        recorder.end(jobId, JobStatus.KILLED, clock.instant(), null, JobRecorder.killedError(jobId), false);
        return get(jobId);
    }
}
