package spark.jobserver.server.drivers;

import java.util.Optional;
import spark.jobserver.protocol.Message;

/**
 * What the driver endpoint needs from whoever supervises contexts. {@link #attached}, {@link #received}
 * and {@link #detached} are called on the connection's WebSocket reader thread, which reads that
 * driver's next frames only when the call returns: they must not block (no I/O, no waiting) and hand
 * the work off. {@link #secretFor} is also called for drivers' plain HTTP requests.
 */
public interface DriverRegistry {

    /** The secret of a context whose driver may connect; empty for unknown or finished contexts. */
    Optional<String> secretFor(String contextId);

    /**
     * What the driver of a context is told at its start ({@link DriverConfigs}); empty for unknown or
     * finished contexts, and for contexts re-adopted after a server restart (their drivers are running).
     */
    Optional<String> driverConfig(String contextId);

    /**
     * A driver proved itself.
     *
     * @return whether the context is already known as running (a driver re-attaching)
     */
    boolean attached(DriverSession session);

    /**
     * The base URLs of the live servers sharing this server's database, this one first, which drivers are told
     * so that they can re-attach elsewhere; empty when the server is alone.
     */
    default java.util.List<String> servers() {
        return java.util.List.of();
    }

    /** A message from an attached driver; called in order for each connection. Hand it off, in order. */
    void received(DriverSession session, Message.ToServer message);

    /** The connection is gone (the driver may come back). */
    void detached(DriverSession session);
}
