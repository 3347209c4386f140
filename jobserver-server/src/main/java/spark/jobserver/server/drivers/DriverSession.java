package spark.jobserver.server.drivers;

import io.javalin.websocket.WsContext;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/** An authenticated connection to one driver. */
public final class DriverSession {
    private final String contextId;
    private final WsContext ws;

    DriverSession(String contextId, WsContext ws) {
        this.contextId = contextId;
        this.ws = ws;
    }

    public String contextId() {
        return contextId;
    }

    /** Sends a message; Jetty's session is not safe for concurrent sends, hence the lock. */
    public synchronized void send(Message.ToDriver message) {
        ws.send(Messages.toJson(message));
    }

    public boolean isOpen() {
        return ws.session.isOpen();
    }

    public void close() {
        ws.closeSession();
    }

    String sessionId() {
        return ws.sessionId();
    }
}
