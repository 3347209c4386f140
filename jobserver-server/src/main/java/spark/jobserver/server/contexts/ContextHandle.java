package spark.jobserver.server.contexts;

import java.util.concurrent.CompletableFuture;
import spark.jobserver.protocol.Message;

/** What jobs need of a running context: who it is, a way to its driver, and its end. */
public interface ContextHandle {

    String id();

    String name();

    boolean isAdhoc();

    /**
     * Sends a message to the driver.
     *
     * @throws spark.jobserver.server.http.ApiException 503 when the driver is not connected
     */
    void send(Message.ToDriver message);

    /** Completes when the context reaches a final state. */
    CompletableFuture<ContextInfo> ended();
}
