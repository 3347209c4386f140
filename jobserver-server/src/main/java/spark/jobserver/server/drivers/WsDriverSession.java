package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import io.javalin.websocket.WsContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/**
 * A driver's authenticated WebSocket connection.
 *
 * <p>The session is the context's as soon as it is attached, before the driver is told it is accepted: a job
 * started on another thread in between would reach the driver ahead of {@code Accepted}, and a driver ignores
 * every frame before that (the job would be lost). Messages sent before {@link #accept} are therefore held,
 * and sent right after the acceptance, in order.
 */
final class WsDriverSession implements DriverSession {
    private static final Logger LOG = LoggerFactory.getLogger(WsDriverSession.class);

    private final String contextId;
    private final Consumer<String> frames;
    private final BooleanSupplier open;
    private final Runnable close;
    /** Messages sent before the acceptance, in order; null once the driver was accepted. Guarded by this. */
    private List<Message.ToDriver> held = new ArrayList<>();

    WsDriverSession(String contextId, WsContext ws) {
        this(
                contextId,
                text -> ws.session.sendText(
                        text,
                        Callback.from(
                                () -> {},
                                failure -> LOG.debug(
                                        "Sending a frame to the driver of context {} failed", contextId, failure))),
                () -> ws.session.isOpen(),
                ws::closeSession);
    }

    /**
     * @param frames queues one text frame and returns; called with this session's lock held, so that frames are
     *     never sent concurrently
     */
    WsDriverSession(String contextId, Consumer<String> frames, BooleanSupplier open, Runnable close) {
        this.contextId = requireNonNull(contextId, "contextId is null");
        this.frames = requireNonNull(frames, "frames is null");
        this.open = requireNonNull(open, "open is null");
        this.close = requireNonNull(close, "close is null");
    }

    @Override
    public String contextId() {
        return contextId;
    }

    /** Tells the driver it is accepted, then sends what was sent to this session before. */
    synchronized void accept(Message.Accepted accepted) {
        requireNonNull(accepted, "accepted is null");
        if (held == null) {
            throw new IllegalStateException("the driver of context " + contextId + " was accepted already");
        }
        frames.accept(Messages.toJson(accepted));
        held.forEach(m -> frames.accept(Messages.toJson(m)));
        held = null;
    }

    /**
     * Queues the frame and returns; Jetty writes it. Frames of one session must not be sent concurrently,
     * hence the lock, which is held only while the frame is queued. Before the acceptance the message is held.
     */
    @Override
    public synchronized void send(Message.ToDriver message) {
        requireNonNull(message, "message is null");
        if (held != null) {
            held.add(message);
            return;
        }
        frames.accept(Messages.toJson(message));
    }

    @Override
    public boolean isOpen() {
        return open.getAsBoolean();
    }

    @Override
    public void close() {
        close.run();
    }
}
