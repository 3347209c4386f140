package spark.jobserver.server.contexts;

import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;

/**
 * What happens in contexts that others (the jobs) follow. Called on the context's own event thread,
 * in the order the driver sent its messages, never under a lock: implementations may write to the
 * database but must not wait on other contexts.
 */
public interface ContextEvents {

    void jobEvent(ContextInfo context, Message.JobEvent event);

    /**
     * The context's driver was restarted (a supervised driver the cluster started again): it runs none of
     * the context's jobs. {@code context} reaches the new driver.
     */
    void driverRestarted(ContextInfo info, ContextHandle context);

    /** The context's driver reported the jobs it is running. */
    void heartbeat(ContextInfo context, Message.Heartbeat heartbeat);

    /**
     * The context reached a final state.
     *
     * @param stoppedByUser whether it was stopped on request (its running jobs count as killed)
     */
    void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason);
}
