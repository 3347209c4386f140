package spark.jobserver.server.contexts;

import com.typesafe.config.Config;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
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

    public ContextRoutes(ContextService service, Config contextDefaults, ConfiguredContexts configured) {
        this(service, contextDefaults, configured, ProxyUsers.off());
    }

    /** @param proxyUsers with use-as-proxy-user, each user sees and addresses only its own contexts */
    public ContextRoutes(
            ContextService service, Config contextDefaults, ConfiguredContexts configured, ProxyUsers proxyUsers) {
        this.service = service;
        this.defaults = contextDefaults;
        this.configured = configured;
        this.proxyUsers = proxyUsers;
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
            ContextService.validateName(name);
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
                    .handle((info, failure) -> {
                        if (failure != null) {
                            throw asApiException(failure);
                        }
                        Replies.success(ctx, 200, "Context initialized");
                        return null;
                    }));
        });
        routes.put("/contexts", this::reset);
        routes.delete("/contexts/{name}", ctx -> {
            boolean force = Requests.booleanParam(ctx, "force", false);
            ctx.future(() -> service.stop(proxyUsers.storedName(ctx, ctx.pathParam("name")), force)
                    .thenAccept(stopped -> {
                        if (stopped) {
                            Replies.success(ctx, 200, "Context stopped");
                        } else {
                            ctx.status(202).header("Location", ctx.fullUrl()).result("");
                        }
                    }));
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
            ctx.future(() -> configured.reset().handle((done, failure) -> {
                if (failure != null) {
                    throw asApiException(failure);
                }
                Replies.success(ctx, 200, "Context reset");
                return null;
            }));
        } else {
            configured.reset();
            Replies.success(ctx, 200, "Context reset requested");
        }
    }

    /** A failure of a context start as the reply the reference gives. */
    public static ApiException asApiException(Throwable failure) {
        Throwable cause = ApiException.causeOf(failure);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof ContextService.ContextStartException start) {
            return ApiException.withError(500, "CONTEXT INIT ERROR", start.error());
        }
        return ApiException.withError(500, "CONTEXT INIT ERROR", spark.jobserver.protocol.ErrorInfo.of(cause));
    }

    static Map<String, Object> render(ContextInfo info) {
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
