package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.swagger.v3.oas.annotations.media.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.auth.AccessGate;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.drivers.DriverRequests;
import spark.jobserver.server.http.ApiDoc;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Requests;
import spark.jobserver.server.http.Times;

/** {@code /jobs}: HTTP only; the logic is in {@link JobService}. */
public final class JobRoutes {
    private static final int DEFAULT_TIMEOUT_SECONDS = 10;
    private static final String JOB_ID = "the job's id";
    private final JobService service;
    private final StreamResultService streams;
    private final DriverRequests drivers;
    private final ProxyUsers proxyUsers;
    private final Executor replies;

    /**
     * @param proxyUsers with use-as-proxy-user, jobs address the user's own contexts and ad-hoc contexts run
     *     as the user
     * @param replies where replies are written once a job's future completes (an HTTP thread, never a
     *     context's event thread: a slow client must not hold up the driver's messages)
     */
    public JobRoutes(
            JobService service,
            StreamResultService streams,
            DriverRequests drivers,
            ProxyUsers proxyUsers,
            Executor replies) {
        this.service = requireNonNull(service, "service is null");
        this.streams = requireNonNull(streams, "streams is null");
        this.drivers = requireNonNull(drivers, "drivers is null");
        this.proxyUsers = requireNonNull(proxyUsers, "proxyUsers is null");
        this.replies = requireNonNull(replies, "replies is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes api = ApiRoutes.on(routes);
        api.idempotentPost("/jobs", ApiRoutes.Body.READ, this::startJob, JobRoutes::startJobDoc);
        api.get(
                "/jobs",
                ctx -> {
                    int limit = Requests.intParam(ctx, "limit", 50, 0);
                    String status = ctx.queryParam("status");
                    List<JobInfo> jobs;
                    if (status == null || status.isEmpty()) {
                        jobs = service.list(limit, null);
                    } else {
                        JobStatus wanted = parseStatus(status);
                        jobs = wanted == null ? List.of() : service.list(limit, wanted);
                    }
                    Replies.json(
                            ctx,
                            200,
                            jobs.stream().map(j -> jobReport(j, false)).toList());
                },
                doc -> doc.summary("The newest jobs first")
                        .intParam("limit", 0, 50, "at most this many")
                        .queryParam(
                                "status",
                                "only jobs in this state (case does not matter): RUNNING, FINISHED, ERROR, KILLED,"
                                        + " RESTARTING; another value lists none")
                        .arrayResponse(
                                200, "Job reports (without results; errors carry their exception map)", JobReport.class)
                        .error(400, "Invalid value for limit"));
        api.get(
                "/jobs/{id}",
                ctx -> {
                    JobInfo job = service.get(ctx.pathParam("id"));
                    if (job.status() == JobStatus.FINISHED && streams.hasStreamResult(job.jobId())) {
                        // The original's chunked form: the report's fields, then the raw bytes as "result".
                        String fields = Json.write(jobReport(job, false));
                        streamReply(
                                ctx, job.jobId(), "{\n" + fields.substring(1, fields.length() - 1) + ",\"result\":");
                    } else {
                        Replies.json(ctx, 200, jobReport(job, true));
                    }
                },
                doc -> doc.summary("A job's report, with its result once FINISHED")
                        .pathParam("id", JOB_ID)
                        .example("id", "5453779a-f004-45fc-a11d-a39dae0f9bf4")
                        .response(
                                200,
                                "The job; a stream result comes chunked as the raw bytes of `result`",
                                JobReport.class)
                        .error(404, "No such job ID <id>"));
        api.get(
                "/jobs/{id}/config",
                ctx -> {
                    JobInfo job = service.get(ctx.pathParam("id"));
                    // a job's own secrets (passwords, tokens posted in its config) are not shown back
                    ctx.status(200)
                            .contentType("application/json")
                            .result(Configs.toJson(
                                    Configs.masked(com.typesafe.config.ConfigFactory.parseString(job.config()))));
                },
                doc -> doc.summary("The config the job was posted with (secrets masked)")
                        .pathParam("id", JOB_ID)
                        .objectResponse(200, "Dotted keys nested: `{\"input\":{\"string\":\"a b\"}}`")
                        .error(404, "No such job ID <id>"));
        api.delete(
                "/jobs/{id}",
                ctx -> {
                    JobInfo job = service.kill(ctx.pathParam("id"));
                    Replies.json(
                            ctx,
                            200,
                            new KillReply(job.status().name(), job.status() == JobStatus.ERROR ? job.error() : null));
                },
                doc -> doc.summary("Kills a running job (its Spark job group); other jobs go on")
                        .pathParam("id", JOB_ID)
                        .response(
                                200,
                                "KILLED; or ERROR with its exception map when the job had already failed",
                                KillReply.class)
                        .error(404, "No such job ID <id>; No running job with ID <id>"));
        // The original started a job for any POST /jobs/<anything>; that was a bug.
        api.internal(
                HandlerType.POST,
                "/jobs/{id}",
                ctx -> {
                    throw ApiException.error(404, "The requested resource could not be found.");
                },
                "not a route of the API: answers 404 where the original started a job");
        api.internal(
                HandlerType.POST,
                DriverLaunch.RESULT_PATH + "{jobId}",
                ctx -> {
                    String contextId = drivers.authenticate(ctx, "upload job results");
                    long size = streams.receive(
                            contextId,
                            ctx.pathParam("jobId"),
                            ctx.req().getInputStream(),
                            ctx.req().getContentLengthLong());
                    Replies.success(ctx, 200, size + " bytes received");
                },
                "drivers upload a job's stream result here; signed by the context's key");
    }

    private static ApiDoc startJobDoc(ApiDoc doc) {
        return doc.summary("Starts a job in a context, or in an ad-hoc context of its own")
                .description("The job is given by `appName` + `classPath` (an uploaded binary and a class), or by"
                        + " `cp` + `mainClass` (binary names and/or URIs). The body is the job's config (HOCON or"
                        + " JSON, may be empty; form-encoded `k=v` parses too); `cp` and `mainClass` may also be"
                        + " top-level keys of the body. Async (the default): 202 once the job passed validation."
                        + " Sync: 200 with the result once it ends (or its error).")
                .queryParam("appName", "an uploaded binary's name")
                .queryParam("classPath", "the job's class (Python: `module.Class`); required with appName")
                .queryParam("cp", "comma-separated binary names and/or URIs (`local:`, `file:`, `http(s):`)")
                .queryParam("mainClass", "the job's class; required with cp")
                .queryParam("context", "a running context's name; absent: an ad-hoc context for this job only")
                .booleanParam("sync", false, "wait for the job's end and answer its result")
                .intParam(
                        "timeout",
                        1,
                        DEFAULT_TIMEOUT_SECONDS,
                        "seconds to wait for the job's start (async) or end (sync); the job goes on after it")
                .queryParam("callbackUrl", "an http(s) URL the server POSTs the job's outcome to (docs/callbacks.md)")
                .queryParam("spark.proxy.user", "the user an ad-hoc context runs as")
                .example("appName", "test")
                .example("classPath", "spark.jobserver.WordCountExample")
                .example("context", "test-context")
                .textBody(
                        "The job's config: HOCON or JSON text",
                        "input.string = a b c a b see",
                        "text/plain",
                        "application/json",
                        "application/hocon",
                        "application/x-www-form-urlencoded")
                .response(202, "Async: started (`status` STARTED)", JobReport.class)
                .response(
                        200,
                        "Sync: the result; a job that failed answers 200 too, with `status` ERROR and its exception"
                                + " map; a stream result comes chunked as the raw bytes of `result`",
                        JobResult.class)
                .error(
                        400,
                        "Cannot parse config: ... (classPath parameter is missing!, mainClass parameter is missing!,"
                                + " To start the job appName or cp parameters should be configured!); VALIDATION"
                                + " FAILED; JOB LOADING FAILED; Invalid job type for this context; Invalid callbackUrl;"
                                + " Invalid value for sync or timeout")
                .error(404, "appName <name> not found; classPath <class> not found; context <name> not found")
                .error(409, "Context stop in progress")
                .error(415, "Unsupported charset in Content-Type")
                .error(
                        429,
                        "Too many jobs waiting for the context to take them, or too many contexts starting at once for"
                                + " an ad-hoc one (`Retry-After` says when to try again)")
                .error(
                        500,
                        "ERROR: the timeout elapsed (AskTimeoutException; the job goes on), or the ad-hoc context did"
                                + " not start")
                .error(
                        503,
                        "NO SLOTS AVAILABLE: too many running jobs in the context; or, with several servers, the"
                                + " context is moving to another server (`Retry-After`)");
    }

    /** The reference's job report. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "JobReport")
    record JobReport(
            @JsonInclude(JsonInclude.Include.ALWAYS) String jobId,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX, server zone")
            String startTime,

            @JsonInclude(JsonInclude.Include.ALWAYS) String classPath,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "the context's name")
            String context,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(nullable = true)
            String contextId,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "`6.341 secs`, or `Job not done yet`")
            String duration,

            @JsonInclude(JsonInclude.Include.ALWAYS)
            @Schema(allowableValues = {"STARTED", "RUNNING", "FINISHED", "ERROR", "KILLED", "RESTARTING"})
            String status,

            @Schema(
                    ref = "#/components/schemas/AnyValue",
                    description = "FINISHED: the job's result; ERROR, KILLED: the exception map")
            Object result) {
        JobReport started() {
            return new JobReport(
                    jobId, startTime, classPath, context, contextId, duration, JobStatus.STARTED.name(), result);
        }
    }

    /** A sync job's reply: its result, or (status ERROR) its exception map. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "JobResult")
    record JobResult(
            @JsonInclude(JsonInclude.Include.ALWAYS) String jobId,

            @Schema(description = "ERROR when the job failed; absent when it finished")
            String status,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(ref = "#/components/schemas/AnyValue")
            Object result) {}

    /** {@code DELETE /jobs/<id>}: {@code {"status":"KILLED"}}, or the error of a job that had already failed. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "JobKilled")
    record KillReply(
            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(allowableValues = {"KILLED", "ERROR"})
            String status,

            ErrorInfo result) {}

    /** A 200 reply of {@code prefix}, the job's stream result and a closing brace, chunked, read from disk. */
    private void streamReply(Context ctx, String jobId, String prefix) throws IOException {
        ctx.status(200).contentType("application/json");
        // Jetty's own buffer would cut the chunks to its size; make it exactly one chunk.
        ctx.res().setBufferSize(streams.chunkSize());
        streams.relay(
                jobId,
                prefix.getBytes(StandardCharsets.UTF_8),
                new byte[] {'}'},
                ctx.res().getOutputStream());
    }

    private void startJob(Context ctx) {
        Config config = Requests.bodyConfig(ctx);
        if (proxyUsers.enabled()) {
            // an ad-hoc context runs as the authenticated user, whatever the body asked for
            config = config.withValue(
                    "spark.context-settings.spark.proxy.user",
                    com.typesafe.config.ConfigValueFactory.fromAnyRef(
                            AccessGate.user(ctx).name()));
        }
        String appName = param(ctx, config, "appName");
        String classPath = param(ctx, config, "classPath");
        String cp = param(ctx, config, "cp");
        String mainClass = param(ctx, config, "mainClass");
        JobService.Request request;
        boolean sync = Requests.booleanParam(ctx, "sync", false);
        Duration timeout = Duration.ofSeconds(Requests.intParam(ctx, "timeout", DEFAULT_TIMEOUT_SECONDS, 1));
        String context = blankToNull(ctx.queryParam("context"));
        if (context != null) {
            context = proxyUsers.storedName(ctx, context);
        }
        String callbackUrl = blankToNull(ctx.queryParam("callbackUrl"));
        if (callbackUrl != null) {
            JobCallbacks.validate(callbackUrl);
        }
        if (appName != null) {
            if (classPath == null) {
                throw ApiException.error(400, "Cannot parse config: classPath parameter is missing!");
            }
            request =
                    new JobService.Request(appName, classPath, List.of(), context, sync, timeout, config, callbackUrl);
        } else if (cp != null) {
            if (mainClass == null) {
                throw ApiException.error(400, "Cannot parse config: mainClass parameter is missing!");
            }
            List<String> items = Arrays.stream(cp.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
            request = new JobService.Request(null, mainClass, items, context, sync, timeout, config, callbackUrl);
        } else {
            throw ApiException.error(
                    400, "Cannot parse config: To start the job appName or cp parameters should be configured!");
        }
        ctx.future(() -> service.start(request)
                .handleAsync(
                        (reply, failure) -> {
                            if (failure != null) {
                                Throwable cause = ApiException.causeOf(failure);
                                throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
                            }
                            writeReply(ctx, reply);
                            return null;
                        },
                        replies));
    }

    private void writeReply(Context ctx, JobService.Reply reply) {
        Replies.made(ctx, "jobId", jobId(reply));
        if (reply instanceof JobService.Reply.Started started) {
            Replies.json(ctx, 202, jobReport(started.job(), false).started());
        } else if (reply instanceof JobService.Reply.Finished finished) {
            Replies.json(ctx, 200, new JobResult(finished.jobId(), null, resultNode(finished.result())));
        } else if (reply instanceof JobService.Reply.Failed failed) {
            throw ApiException.jobError(200, failed.jobId(), failed.error());
        } else if (reply instanceof JobService.Reply.Streamed streamed) {
            try {
                streamReply(ctx, streamed.jobId(), "{\"result\":");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String jobId(JobService.Reply reply) {
        if (reply instanceof JobService.Reply.Started started) {
            return started.job().jobId();
        } else if (reply instanceof JobService.Reply.Finished finished) {
            return finished.jobId();
        } else if (reply instanceof JobService.Reply.Failed failed) {
            return failed.jobId();
        }
        return ((JobService.Reply.Streamed) reply).jobId();
    }

    /** A query parameter, or the same key at the top of the body (the original accepts both for cp/mainClass). */
    private static String param(Context ctx, Config body, String name) {
        String value = blankToNull(ctx.queryParam(name));
        if (value != null) {
            return value;
        }
        try {
            if ((name.equals("cp") || name.equals("mainClass")) && body.hasPath(name)) {
                if (body.getValue(name).valueType() == ConfigValueType.LIST) {
                    return String.join(",", body.getStringList(name));
                }
                return blankToNull(body.getString(name));
            }
        } catch (ConfigException e) {
            throw ApiException.error(400, "Cannot parse config: " + e.getMessage());
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static JobStatus parseStatus(String status) {
        try {
            return JobStatus.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static JsonNode resultNode(String json) {
        return Json.read(json == null ? "null" : json);
    }

    /** The reference's job report; FINISHED jobs carry their result only when {@code withResult}. */
    public static Map<String, Object> report(JobInfo job, boolean withResult) {
        return Json.MAPPER.convertValue(
                jobReport(job, withResult), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** The job report the routes write (its schema is in the API's description). */
    static JobReport jobReport(JobInfo job, boolean withResult) {
        Object result = null;
        if (job.error() != null && (job.status() == JobStatus.ERROR || job.status() == JobStatus.KILLED)) {
            result = job.error();
        } else if (withResult && job.status() == JobStatus.FINISHED && job.result() != null) {
            result = resultNode(job.result());
        }
        return new JobReport(
                job.jobId(),
                Times.jobTime(job.startTime()),
                job.classPath(),
                job.contextName().isEmpty() ? "<<ad-hoc>>" : job.contextName(),
                job.contextId(),
                job.endTime() == null
                        ? "Job not done yet"
                        : (job.endTime().toEpochMilli() - job.startTime().toEpochMilli()) / 1000.0 + " secs",
                job.status().name(),
                result);
    }
}
