package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import com.typesafe.config.Config;
import io.javalin.config.RoutesConfig;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Requests;
import spark.jobserver.server.http.Times;

/** {@code /contexts}: HTTP only; the logic is in {@link ContextService}. */
public final class ContextRoutes {
    private static final String NAME = "the context's name";
    private static final Set<String> NOT_SETTINGS = Set.of("_method", "force", "reset", "sync");
    private final ContextService service;
    private final Config defaults;
    private final ConfiguredContexts configured;
    private final ProxyUsers proxyUsers;
    private final Executor replies;

    /**
     * @param proxyUsers with use-as-proxy-user, each user sees and addresses only its own contexts
     * @param replies where replies are written once a context's future completes (an HTTP thread, never
     *     the context's event thread)
     */
    public ContextRoutes(
            ContextService service,
            Config contextDefaults,
            ConfiguredContexts configured,
            ProxyUsers proxyUsers,
            Executor replies) {
        this.service = requireNonNull(service, "service is null");
        this.defaults = requireNonNull(contextDefaults, "contextDefaults is null");
        this.configured = requireNonNull(configured, "configured is null");
        this.proxyUsers = requireNonNull(proxyUsers, "proxyUsers is null");
        this.replies = requireNonNull(replies, "replies is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/contexts",
                ctx -> Replies.json(ctx, 200, proxyUsers.visible(ctx, service.listNames())),
                doc -> doc.summary("The names of the contexts not ended (ad-hoc ones included)")
                        .arrayResponse(200, "Context names", String.class));
        api.get(
                "/contexts/{name}",
                ctx -> {
                    ContextReport report =
                            ContextReport.of(service.get(proxyUsers.storedName(ctx, ctx.pathParam("name"))));
                    Replies.json(ctx, 200, report.named(proxyUsers.shownName(ctx, report.name())));
                },
                doc -> doc.summary("The newest context of that name, in any state")
                        .pathParam("name", NAME)
                        .response(
                                200,
                                "The context (a stopped one keeps answering with its final state)",
                                ContextReport.class)
                        .error(404, "can't find context with name <name>"));
        api.idempotentPost(
                "/contexts/{name}",
                ApiRoutes.Body.READ,
                ctx -> {
                    String name = ctx.pathParam("name");
                    ContextNames.validateUserName(name);
                    Config body = Requests.bodyConfig(ctx);
                    Config fromBody = body.hasPath("spark.context-settings")
                            ? body.getConfig("spark.context-settings")
                            : com.typesafe.config.ConfigFactory.empty();
                    Config settings = proxyUsers.withProxyUser(
                            ctx,
                            fromBody.withFallback(Requests.queryConfig(ctx, NOT_SETTINGS))
                                    .withFallback(defaults)
                                    .resolve());
                    ctx.future(() -> service.start(proxyUsers.storedName(ctx, name), settings, false)
                            .handleAsync(
                                    (info, failure) -> {
                                        if (failure != null) {
                                            throw ContextStartException.asApiException(failure);
                                        }
                                        Replies.success(ctx, 200, "Context initialized");
                                        return null;
                                    },
                                    replies));
                },
                doc -> doc.summary("Starts a long-running context (its own driver JVM) and waits until it runs")
                        .description("Settings come from the body's `spark.context-settings` block, then from the"
                                + " query parameters (dotted keys nest: `launcher.spark.driver.memory=2g`), then from the"
                                + " server's `spark.context-settings`. See docs/contexts.md.")
                        .pathParam("name", "the new context's name; must start with a letter")
                        .queryParam("num-cpu-cores", "cores of the context (spark.cores.max)")
                        .queryParam("memory-per-node", "executor memory, e.g. `512m`")
                        .queryParam("context-factory", "the factory class that makes the context")
                        .queryParam("dependent-jar-uris", "comma-separated jars for every job of the context")
                        .queryParam("spark.proxy.user", "the user the context runs as (impersonation)")
                        .queryParam(
                                "stop-context-on-job-error", new BooleanSchema(), "stop after any failed job", false)
                        .example("name", "test-context")
                        .example("num-cpu-cores", "4")
                        .example("memory-per-node", "512m")
                        .textBody(
                                "Optional HOCON or JSON; only its `spark.context-settings` block is read",
                                null,
                                "text/plain",
                                "application/json",
                                "application/hocon",
                                "application/x-www-form-urlencoded")
                        .success(200, "Context initialized")
                        .error(
                                400,
                                "context name must start with letters; context <name> exists; Invalid context"
                                        + " settings: ...; Cannot parse config: ...; CONTEXT INIT ERROR: Malformed URL")
                        .error(404, "Can't find binary with name <binary> (dependent-jar-uris of context <name>)")
                        .error(409, "Context stop in progress")
                        .error(415, "Unsupported charset in Content-Type")
                        .error(429, "Too many contexts starting at once on this server (`Retry-After`)")
                        .error(500, "CONTEXT INIT ERROR: the driver did not start (with its exception map)"));
        api.put(
                "/contexts",
                this::reset,
                doc -> doc.summary("Stops every context and starts the configured ones (spark.contexts)")
                        .queryParam(
                                "reset",
                                new StringSchema()._enum(List.of("reboot")),
                                "must be `reboot` (case does not matter)",
                                true)
                        .booleanParam("sync", true, "false: answer at once, stop and start afterwards")
                        .success(200, "Context reset, or Context reset requested")
                        .error(400, "Invalid value for reset, or for sync")
                        .error(404, "Request is missing required query parameter 'reset'")
                        .error(500, "CONTEXT INIT ERROR: a configured context did not start"));
        api.delete(
                "/contexts/{name}",
                ctx -> {
                    boolean force = Requests.booleanParam(ctx, "force", false);
                    ctx.future(() -> service.stop(proxyUsers.storedName(ctx, ctx.pathParam("name")), force)
                            .handleAsync(
                                    (stopped, failure) -> {
                                        if (failure != null) {
                                            Throwable cause = ApiException.causeOf(failure);
                                            throw cause instanceof RuntimeException re
                                                    ? re
                                                    : new CompletionException(cause);
                                        }
                                        if (stopped) {
                                            Replies.success(ctx, 200, "Context stopped");
                                        } else {
                                            ctx.status(202)
                                                    .header("Location", ctx.fullUrl())
                                                    .result("");
                                        }
                                        return null;
                                    },
                                    replies));
                },
                doc -> doc.summary("Stops a context and its jobs")
                        .pathParam("name", NAME)
                        .booleanParam("force", false, "kill the driver instead of asking it to stop")
                        .success(200, "Context stopped")
                        .emptyResponse(
                                202,
                                "Not stopped within the deletion timeout; the Location header is this"
                                        + " request's URL (poll GET /contexts/<name> for its state)")
                        .error(400, "Invalid value for force")
                        .error(404, "context <name> not found (also when it has already ended)")
                        .error(409, "Context stop in progress"));
    }

    /**
     * {@code PUT /contexts?reset=reboot[&sync=false]}: stops the listed contexts and starts the configured
     * ones; with {@code sync=false} all of it happens after the reply.
     */
    private void reset(io.javalin.http.Context ctx) {
        String reset = Requests.requiredParam(ctx, "reset");
        if (!reset.equalsIgnoreCase("reboot")) {
            throw ApiException.error(400, "Invalid value for reset: '" + reset + "' (only 'reboot' is supported)");
        }
        if (Requests.booleanParam(ctx, "sync", true)) {
            ctx.future(() -> configured
                    .reset()
                    .handleAsync(
                            (done, failure) -> {
                                if (failure != null) {
                                    throw ContextStartException.asApiException(failure);
                                }
                                Replies.success(ctx, 200, "Context reset");
                                return null;
                            },
                            replies));
        } else {
            configured.reset();
            Replies.success(ctx, 200, "Context reset requested");
        }
    }

    /** A context as {@code GET /contexts/<name>} shows it, under its stored name (the event stream shares it). */
    public static Map<String, Object> render(ContextInfo info) {
        return Json.MAPPER.convertValue(ContextReport.of(info), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** {@code GET /contexts/<name>}: the reference's context-per-JVM form. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Context")
    record ContextReport(
            @JsonInclude(JsonInclude.Include.ALWAYS) String id,
            @JsonInclude(JsonInclude.Include.ALWAYS) String name,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "UTC, with milliseconds")
            String startTime,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "UTC, or `Empty` while it has not ended")
            String endTime,

            @JsonInclude(JsonInclude.Include.ALWAYS)
            @Schema(allowableValues = {"STARTED", "RUNNING", "STOPPING", "RESTARTING", "FINISHED", "ERROR", "KILLED"})
            String state,

            @Schema(description = "Spark's application id, once the driver has one")
            String applicationId,

            @Schema(description = "the Spark UI, when the context has one")
            String url) {
        static ContextReport of(ContextInfo info) {
            return new ContextReport(
                    info.id(),
                    info.name(),
                    Times.utc(info.startTime()),
                    info.endTime() == null ? "Empty" : Times.utc(info.endTime()),
                    info.state().name(),
                    info.applicationId(),
                    info.uiUrl());
        }

        ContextReport named(String shown) {
            return new ContextReport(id, shown, startTime, endTime, state, applicationId, url);
        }
    }
}
