package spark.jobserver.server.contexts;

import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;

/**
 * What happens in contexts that others follow (the jobs, progress, logs, the event stream). Called on
 * the context's own event thread, in the order the driver sent its messages, never under a lock:
 * implementations may write to the database but must not wait on other contexts. Every method does
 * nothing unless implemented, so a follower implements only what it follows; {@link #all} tells several.
 */
public interface ContextEvents {

    default void jobEvent(ContextInfo context, Message.JobEvent event) {}

    /**
     * The context's driver was restarted (a supervised driver the cluster started again): it runs none of
     * the context's jobs. {@code context} reaches the new driver.
     */
    default void driverRestarted(ContextInfo info, ContextHandle context) {}

    /** The context's driver reported the jobs it is running. */
    default void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {}

    /**
     * The context reached a final state.
     *
     * @param stoppedByUser whether it was stopped on request (its running jobs count as killed)
     */
    default void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason) {}

    /** The context was recorded or changed (its state, its application, its driver's process or log). */
    default void contextChanged(ContextInfo context) {}

    /** The driver reported how far one of its jobs is. */
    default void jobProgress(ContextInfo context, Message.JobProgress progress) {}

    /** The driver shipped lines of its log (a driver whose log file is not on this host). */
    default void driverLog(ContextInfo context, Message.DriverLog log) {}

    /**
     * Another server took the context over (its driver re-attached there); this server records nothing
     * more of it. Requests waiting here on its jobs are answered.
     */
    default void contextMoved(ContextInfo context) {}

    /**
     * Tells each of {@code followers}, in order; one that throws does not keep the others from hearing. A job
     * event that a follower failed to take throws afterwards, so that the driver is not told it was recorded.
     */
    static ContextEvents all(ContextEvents... followers) {
        List<ContextEvents> each = List.of(followers);
        return new ContextEvents() {
            @Override
            public void jobEvent(ContextInfo context, Message.JobEvent event) {
                RuntimeException failure = tellEach(each, f -> f.jobEvent(context, event));
                if (failure != null) {
                    throw failure;
                }
            }

            @Override
            public void driverRestarted(ContextInfo info, ContextHandle context) {
                tellEach(each, f -> f.driverRestarted(info, context));
            }

            @Override
            public void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {
                tellEach(each, f -> f.heartbeat(context, heartbeat));
            }

            @Override
            public void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason) {
                tellEach(each, f -> f.contextEnded(context, stoppedByUser, reason));
            }

            @Override
            public void contextChanged(ContextInfo context) {
                tellEach(each, f -> f.contextChanged(context));
            }

            @Override
            public void jobProgress(ContextInfo context, Message.JobProgress progress) {
                tellEach(each, f -> f.jobProgress(context, progress));
            }

            @Override
            public void driverLog(ContextInfo context, Message.DriverLog log) {
                tellEach(each, f -> f.driverLog(context, log));
            }

            @Override
            public void contextMoved(ContextInfo context) {
                tellEach(each, f -> f.contextMoved(context));
            }
        };
    }

    /** Returns the first failure, after every follower was told. */
    private static RuntimeException tellEach(List<ContextEvents> followers, Consumer<ContextEvents> call) {
        RuntimeException first = null;
        for (ContextEvents follower : followers) {
            try {
                call.accept(follower);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(ContextEvents.class).error("A follower of contexts failed: {}", follower, e);
                first = first == null ? e : first;
            }
        }
        return first;
    }
}
