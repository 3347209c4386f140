package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
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
import spark.jobserver.server.auth.AccessGate;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.drivers.DriverRequests;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Requests;
import spark.jobserver.server.http.Times;

/** {@code /jobs}: HTTP only; the logic is in {@link JobService}. */
public final class JobRoutes {
    private static final int DEFAULT_TIMEOUT_SECONDS = 10;
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
        routes.post("/jobs", this::startJob);
        routes.get("/jobs", ctx -> {
            int limit = Requests.intParam(ctx, "limit", 50, 0);
            String status = ctx.queryParam("status");
            List<JobInfo> jobs;
            if (status == null || status.isEmpty()) {
                jobs = service.list(limit, null);
            } else {
                JobStatus wanted = parseStatus(status);
                jobs = wanted == null ? List.of() : service.list(limit, wanted);
            }
            Replies.json(ctx, 200, jobs.stream().map(j -> report(j, false)).toList());
        });
        routes.get("/jobs/{id}", ctx -> {
            JobInfo job = service.get(ctx.pathParam("id"));
            if (job.status() == JobStatus.FINISHED && streams.hasStreamResult(job.jobId())) {
                // The original's chunked form: the report's fields, then the raw bytes as "result".
                String fields = Json.write(report(job, false));
                streamReply(ctx, job.jobId(), "{\n" + fields.substring(1, fields.length() - 1) + ",\"result\":");
            } else {
                Replies.json(ctx, 200, report(job, true));
            }
        });
        routes.get("/jobs/{id}/config", ctx -> {
            JobInfo job = service.get(ctx.pathParam("id"));
            // a job's own secrets (passwords, tokens posted in its config) are not shown back
            ctx.status(200)
                    .contentType("application/json")
                    .result(Configs.toJson(
                            Configs.masked(com.typesafe.config.ConfigFactory.parseString(job.config()))));
        });
        routes.delete("/jobs/{id}", ctx -> {
            JobInfo job = service.kill(ctx.pathParam("id"));
            if (job.status() == JobStatus.ERROR) {
                Replies.json(ctx, 200, Map.of("status", "ERROR", "result", job.error()));
            } else {
                Replies.json(ctx, 200, Map.of("status", job.status().name()));
            }
        });
        // The original started a job for any POST /jobs/<anything>; that was a bug.
        routes.post("/jobs/{id}", ctx -> {
            throw ApiException.error(404, "The requested resource could not be found.");
        });
        routes.post(DriverLaunch.RESULT_PATH + "{jobId}", ctx -> {
            String contextId = drivers.authenticate(ctx, "upload job results");
            long size = streams.receive(
                    contextId,
                    ctx.pathParam("jobId"),
                    ctx.req().getInputStream(),
                    ctx.req().getContentLengthLong());
            Replies.success(ctx, 200, size + " bytes received");
        });
    }

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
        if (reply instanceof JobService.Reply.Started started) {
            Map<String, Object> body = report(started.job(), false);
            body.put("status", JobStatus.STARTED.name());
            Replies.json(ctx, 202, body);
        } else if (reply instanceof JobService.Reply.Finished finished) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("jobId", finished.jobId());
            body.put("result", resultNode(finished.result()));
            Replies.json(ctx, 200, body);
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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", job.jobId());
        body.put("startTime", Times.jobTime(job.startTime()));
        body.put("classPath", job.classPath());
        body.put("context", job.contextName().isEmpty() ? "<<ad-hoc>>" : job.contextName());
        body.put("contextId", job.contextId());
        body.put(
                "duration",
                job.endTime() == null
                        ? "Job not done yet"
                        : (job.endTime().toEpochMilli() - job.startTime().toEpochMilli()) / 1000.0 + " secs");
        body.put("status", job.status().name());
        if (job.error() != null && (job.status() == JobStatus.ERROR || job.status() == JobStatus.KILLED)) {
            body.put("result", job.error());
        } else if (withResult && job.status() == JobStatus.FINISHED && job.result() != null) {
            body.put("result", resultNode(job.result()));
        }
        return body;
    }
}
