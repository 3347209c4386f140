package spark.jobserver.driver;

import spark.jobserver.protocol.Message;

/** Where a job's events go: the server connection, which delivers them in order, eventually. */
@FunctionalInterface
interface JobEvents {

    /** Queues {@code event} for delivery; must not block. */
    void publish(Message.JobEvent event);
}
