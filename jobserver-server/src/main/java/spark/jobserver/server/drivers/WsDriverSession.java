package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import io.javalin.websocket.WsContext;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/** A driver's authenticated WebSocket connection. */
final class WsDriverSession implements DriverSession {
    private static final Logger LOG = LoggerFactory.getLogger(WsDriverSession.class);

    private final String contextId;
    private final WsContext ws;

    WsDriverSession(String contextId, WsContext ws) {
        this.contextId = requireNonNull(contextId, "contextId is null");
        this.ws = requireNonNull(ws, "ws is null");
    }

    @Override
    public String contextId() {
        return contextId;
    }

    /**
     * Queues the frame and returns; Jetty writes it. Frames of one session must not be sent
     * concurrently, hence the lock, which is held only while the frame is queued.
     */
    @Override
    public synchronized void send(Message.ToDriver message) {
        ws.session.sendText(
                Messages.toJson(message),
                Callback.from(
                        () -> {},
                        failure -> LOG.debug(
                                "Sending {} to the driver of context {} failed",
                                message.getClass().getSimpleName(),
                                contextId,
                                failure)));
    }

    @Override
    public boolean isOpen() {
        return ws.session.isOpen();
    }

    @Override
    public void close() {
        ws.closeSession();
    }
}
