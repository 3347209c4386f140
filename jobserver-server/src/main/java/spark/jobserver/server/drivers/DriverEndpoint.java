package spark.jobserver.server.drivers;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
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

    /**
     * @param binaryFile the local file of an uploaded binary by hash (throws ApiException 404 if unknown)
     */
    public DriverEndpoint(DriverRegistry registry, Function<String, Path> binaryFile) {
        this.registry = registry;
        this.binaryFile = binaryFile;
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
        routes.get(DriverLaunch.BINARY_PATH + "{sha256}", this::serveBinary);
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
        DriverSession session = new WsDriverSession(auth.contextId(), ctx);
        sessions.put(ctx.sessionId(), session);
        boolean ready = registry.attached(session);
        session.send(new Message.Accepted(ready));
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
