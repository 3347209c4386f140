package spark.jobserver.server.http;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.Endpoint;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.ThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: Javalin with the cross-cutting behaviour of the reference (CORS, method override, the
 * JSON error envelope for every error, request size limit). Features register their own routes, each with
 * its documentation ({@link ApiRoutes}); the server serves the spec generated from them at
 * {@code /openapi.json} and the Swagger UI at {@code /swagger}.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /**
     * Request attribute set by whoever wrote a request's whole answer (an exception handler): the generic
     * 404/405 handlers leave such an answer alone.
     */
    public static final String HANDLED = "jobserver.error-handled";

    private final Javalin app;
    private final String host;
    private final int port;

    /**
     * @param threads the server's request threads; also where replies that wait on a context are written
     *     (owned by the caller, which passes the same pool to the routes)
     * @param tls HTTPS on the port instead of plain HTTP; null for plain HTTP
     * @param cors which browser origins may call the API
     * @param features each registers its routes
     */
    public HttpServer(
            String host,
            int port,
            long maxRequestSize,
            long maxWebSocketMessage,
            ThreadPool threads,
            SslContextFactory.Server tls,
            CorsSettings cors,
            List<Consumer<RoutesConfig>> features) {
        this.host = host;
        this.port = port;
        OpenApiRoutes openApi = new OpenApiRoutes();
        this.app = Javalin.create(cfg -> {
            cfg.jetty.threadPool = threads;
            configure(cfg, maxRequestSize, maxWebSocketMessage, cors, features);
            openApi.register(cfg.routes);
            if (tls != null) {
                cfg.jetty.addConnector((server, http) -> httpsConnector(server, http, tls, host, port));
            }
        });
        // Every route is registered now; one without documentation fails here, in every test that starts a server.
        openApi.describe(endpoints());
    }

    /** The routes as Javalin holds them, in the order they were registered. */
    List<Endpoint> endpoints() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .toList();
    }

    /** One connector on the port, speaking HTTPS only (the reference serves TLS "on the same port"). */
    private static ServerConnector httpsConnector(
            org.eclipse.jetty.server.Server server,
            HttpConfiguration http,
            SslContextFactory.Server tls,
            String host,
            int port) {
        HttpConfiguration https = new HttpConfiguration(http);
        // clients reach the server by many names (loopback, IPs, aliases): no SNI host check
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector connector = new ServerConnector(
                server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    private static void configure(
            JavalinConfig cfg,
            long maxRequestSize,
            long maxWebSocketMessage,
            CorsSettings cors,
            List<Consumer<RoutesConfig>> features) {
        cfg.startup.showJavalinBanner = false;
        // Errors Jetty answers before any route (URI or headers too long, bad requests) are JSON envelopes too.
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.http.maxRequestSize = maxRequestSize;
        cfg.http.prefer405over404 = true;
        // In this order: CORS first, so every reply after it carries its headers; a target that does not decode
        // is refused before anything reads it.
        cfg.jetty.modifyServletContextHandler(handler -> {
            if (cors.enabled()) {
                handler.addFilter(new FilterHolder(new CorsFilter(cors)), "/*", EnumSet.of(DispatcherType.REQUEST));
            }
            handler.addFilter(new FilterHolder(new RequestTargetFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
            handler.addFilter(new FilterHolder(new MethodOverrideFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
        });
        // Javalin relaxes Jetty to its LEGACY URI compliance. Only one relaxation is needed: the original's routes
        // take URL-encoded absolute paths as one segment (DELETE /data/%2Ftmp%2Fx.dat, GET /driver/data/...),
        // so an encoded '/' is allowed; every other ambiguous form (encoded dots, empty segments, ...) is refused.
        cfg.jetty.modifyHttpConfiguration(http -> http.setUriCompliance(
                UriCompliance.DEFAULT.with("jobserver", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR)));
        cfg.jetty.modifyWebSocketServletFactory(factory -> {
            factory.setMaxTextMessageSize(maxWebSocketMessage);
            factory.setIdleTimeout(Duration.ZERO);
        });
        RoutesConfig routes = cfg.routes;
        routes.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(HANDLED, true);
            if (e.httpStatus() >= 500) {
                LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
            }
            e.retryAfterSeconds().ifPresent(seconds -> ctx.header("Retry-After", Long.toString(seconds)));
            Replies.json(ctx, e.httpStatus(), e.body());
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            ctx.attribute(HANDLED, true);
            Replies.json(
                    ctx,
                    e.getStatus(),
                    ApiException.error(e.getStatus(), describe(e, ctx)).body());
        });
        routes.exception(Exception.class, (e, ctx) -> {
            ctx.attribute(HANDLED, true);
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            Replies.json(
                    ctx,
                    500,
                    ApiException.withError(500, "ERROR", spark.jobserver.protocol.ErrorInfo.of(e))
                            .body());
        });
        routes.error(404, ctx -> unhandled(ctx, "The requested resource could not be found."));
        routes.error(405, ctx -> unhandled(ctx, "HTTP method not allowed"));
        features.forEach(f -> f.accept(routes));
    }

    private static void unhandled(Context ctx, String message) {
        if (ctx.attribute(HANDLED) == null
                && (ctx.result() == null || !ctx.result().startsWith("{"))) {
            Replies.json(
                    ctx,
                    ctx.status().getCode(),
                    ApiException.error(ctx.status().getCode(), message).body());
        }
    }

    private static String describe(HttpResponseException e, Context ctx) {
        return switch (e.getStatus()) {
            case 404 -> "The requested resource could not be found.";
            case 405 ->
                "HTTP method not allowed, supported methods: "
                        + String.join(", ", e.getDetails().values());
            case 413 -> "Request entity too large: " + e.getMessage();
            default -> e.getMessage();
        };
    }

    public HttpServer start() {
        app.start(host, port);
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
