package spark.jobserver.server.drivers;

import spark.jobserver.protocol.Message;

/** An authenticated connection to one context's driver. */
public interface DriverSession {

    String contextId();

    /** Sends a message without waiting for it to be written. */
    void send(Message.ToDriver message);

    boolean isOpen();

    void close();
}
