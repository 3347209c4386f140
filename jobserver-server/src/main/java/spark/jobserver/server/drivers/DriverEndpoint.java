package spark.jobserver.server.drivers;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.websocket.WsContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;

/**
 * The server side of the drivers' dial-back: a WebSocket with challenge-response on the context's
 * secret, and the HTTP route from which drivers fetch binaries. Exempt from user authentication;
 * every request proves it comes from a driver holding its context's secret.
 */
public final class DriverEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(DriverEndpoint.class);

    private final DriverRegistry registry;
    private final Function<String, Path> binaryFile;
    /** Per WebSocket session: the nonce sent, until the driver answers; then its DriverSession. */
    private final Map<String, String> nonces = new ConcurrentHashMap<>();

    private final Map<String, DriverSession> sessions = new ConcurrentHashMap<>();

    private final Map<String, Path> runtime;

    /**
     * @param binaryFile the local file of an uploaded binary by hash (throws ApiException 404 if unknown)
     * @param runtime the files a cluster fetches to run a driver on one of its nodes, by name (the driver jar)
     */
    public DriverEndpoint(DriverRegistry registry, Function<String, Path> binaryFile, Map<String, Path> runtime) {
        this.registry = registry;
        this.binaryFile = binaryFile;
        this.runtime = Map.copyOf(runtime);
    }

    public void register(RoutesConfig routes) {
        routes.ws(DriverLaunch.WEBSOCKET_PATH, ws -> {
            ws.onConnect(ctx -> {
                ctx.session.setIdleTimeout(java.time.Duration.ZERO);
                String nonce = DriverAuth.randomToken();
                nonces.put(ctx.sessionId(), nonce);
                ctx.send(Messages.toJson(new Message.Challenge(nonce)));
            });
            ws.onMessage(ctx -> onMessage(ctx, ctx.message()));
            ws.onClose(ctx -> {
                nonces.remove(ctx.sessionId());
                DriverSession session = sessions.remove(ctx.sessionId());
                if (session != null) {
                    registry.detached(session);
                }
            });
            ws.onError(ctx -> LOG.debug("Driver connection error", ctx.error()));
        });
        // The drivers' HTTP routes are not part of the API: internal, left out of /openapi.json.
        ApiRoutes.on(routes)
                .internal(
                        HandlerType.GET,
                        DriverLaunch.BINARY_PATH + "{sha256}",
                        this::serveBinary,
                        "drivers fetch binaries by hash; signed by the context's key")
                .internal(
                        HandlerType.GET,
                        DriverLaunch.CONTEXT_CONFIG_PATH + "{id}" + DriverLaunch.CONTEXT_CONFIG_SUFFIX,
                        this::serveConfig,
                        "a driver fetches its own configuration; signed by the context's key")
                .internal(
                        HandlerType.GET,
                        DriverLaunch.RUNTIME_PATH + "{file}",
                        this::serveRuntime,
                        "a cluster fetches the driver jar to run a driver on one of its nodes");
    }

    private void onMessage(WsContext ctx, String text) {
        Message message;
        try {
            message = Messages.fromJson(text);
        } catch (IllegalArgumentException e) {
            LOG.warn("Closing driver connection {}: {}", ctx.sessionId(), e.getMessage());
            ctx.closeSession(1003, "bad frame");
            return;
        }
        DriverSession session = sessions.get(ctx.sessionId());
        if (session == null) {
            authenticate(ctx, message);
            return;
        }
        if (message instanceof Message.ToServer toServer && !(message instanceof Message.Authenticate)) {
            registry.received(session, toServer);
        } else {
            LOG.warn(
                    "Ignoring unexpected {} from the driver of context {}",
                    message.getClass().getSimpleName(),
                    session.contextId());
        }
    }

    private void authenticate(WsContext ctx, Message message) {
        String nonce = nonces.remove(ctx.sessionId());
        if (nonce == null || !(message instanceof Message.Authenticate auth)) {
            ctx.closeSession(1008, "authentication required");
            return;
        }
        Optional<String> secret = registry.secretFor(auth.contextId());
        if (secret.isEmpty() || !DriverAuth.verify(secret.get(), nonce, auth.mac())) {
            LOG.warn("Refused a driver connection claiming context {}", auth.contextId());
            ctx.closeSession(1008, "authentication failed");
            return;
        }
        WsDriverSession session = new WsDriverSession(auth.contextId(), ctx);
        sessions.put(ctx.sessionId(), session);
        // From here jobs may be sent to the session; it holds them until the driver is told it is accepted.
        boolean ready = registry.attached(session);
        session.accept(new Message.Accepted(ready, registry.servers()));
    }

    /** A driver's configuration, to that driver only. */
    private void serveConfig(Context ctx) {
        String contextId = new DriverRequests(registry).authenticate(ctx, "fetch their configuration");
        if (!contextId.equals(ctx.pathParam("id"))) {
            throw ApiException.error(403, "A driver may fetch only its own configuration");
        }
        String config = registry.driverConfig(contextId)
                .orElseThrow(() -> ApiException.error(404, "No configuration for context " + contextId));
        ctx.contentType("application/hocon").result(config);
    }

    /** The driver jar, for a cluster that runs a driver on one of its nodes; nothing else is served here. */
    private void serveRuntime(Context ctx) throws Exception {
        Path file = runtime.get(ctx.pathParam("file"));
        if (file == null || !Files.isRegularFile(file)) {
            throw ApiException.error(404, "The requested resource could not be found.");
        }
        ctx.contentType("application/java-archive");
        ctx.header("Content-Length", Long.toString(Files.size(file)));
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(ctx.res().getOutputStream());
        }
    }

    private void serveBinary(Context ctx) throws Exception {
        String sha = ctx.pathParam("sha256");
        new DriverRequests(registry).authenticate(ctx, "fetch binaries");
        Path file = binaryFile.apply(sha);
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", Long.toString(Files.size(file)));
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(ctx.res().getOutputStream());
        }
    }
}
