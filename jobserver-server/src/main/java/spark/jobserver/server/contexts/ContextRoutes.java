package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Requests;
import spark.jobserver.server.http.Times;

/** {@code /contexts}: HTTP only; the logic is in {@link ContextService}. */
public final class ContextRoutes {
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
        routes.get("/contexts", ctx -> Replies.json(ctx, 200, proxyUsers.visible(ctx, service.listNames())));
        routes.get("/contexts/{name}", ctx -> {
            Map<String, Object> body = render(service.get(proxyUsers.storedName(ctx, ctx.pathParam("name"))));
            body.put("name", proxyUsers.shownName(ctx, (String) body.get("name")));
            Replies.json(ctx, 200, body);
        });
        routes.post("/contexts/{name}", ctx -> {
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
        });
        routes.put("/contexts", this::reset);
        routes.delete("/contexts/{name}", ctx -> {
            boolean force = Requests.booleanParam(ctx, "force", false);
            ctx.future(() -> service.stop(proxyUsers.storedName(ctx, ctx.pathParam("name")), force)
                    .handleAsync(
                            (stopped, failure) -> {
                                if (failure != null) {
                                    Throwable cause = ApiException.causeOf(failure);
                                    throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
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
        });
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
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", info.id());
        body.put("name", info.name());
        body.put("startTime", Times.utc(info.startTime()));
        body.put("endTime", info.endTime() == null ? "Empty" : Times.utc(info.endTime()));
        body.put("state", info.state().name());
        if (info.applicationId() != null) {
            body.put("applicationId", info.applicationId());
        }
        if (info.uiUrl() != null) {
            body.put("url", info.uiUrl());
        }
        return body;
    }
}
