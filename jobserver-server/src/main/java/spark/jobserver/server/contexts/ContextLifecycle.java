package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.drivers.DriverSession;
import spark.jobserver.server.ha.Cluster;

/**
 * The one writer of contexts' state, in memory and in the store. Every method but
 * {@link #endLost} is called on the context's own event executor ({@link LiveContext#execute}), so the
 * moves of one context happen one at a time, in order, and no lock is held while the store is written.
 * Moves follow {@link ContextState#canMoveTo}: nothing leaves a final state.
 */
final class ContextLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(ContextLifecycle.class);

    private final ContextStore store;
    private final Clock clock;
    private final LiveContexts contexts;
    private final ContextEvents events;
    private final Cluster cluster;
    /** Set when the server stops: drivers outlive it, so their later ends are not this server's to record. */
    private volatile boolean closed;

    ContextLifecycle(ContextStore store, Clock clock, LiveContexts contexts, ContextEvents events, Cluster cluster) {
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.events = requireNonNull(events, "events is null");
    }

    /** Records a new context (STARTED) with the verifier its driver proves itself against. */
    void record(LiveContext live) {
        store.insert(live.info(), live.verifier());
        if (cluster.isShared()) {
            cluster.own(live.id());
        }
        events.contextChanged(live.info());
    }

    /** Moves the context to {@code to} when its state allows; returns whether it moved. */
    boolean moveTo(LiveContext live, ContextState to) {
        ContextInfo current = live.info();
        if (closed || live.isForgotten() || !current.state().canMoveTo(to) || to.isTerminal()) {
            return false;
        }
        ContextInfo moved = current.withState(to, null, current.error());
        store.update(moved);
        live.info(moved);
        events.contextChanged(moved);
        return true;
    }

    /** Records a change that is not a move (the driver's process, its log). */
    void update(LiveContext live, UnaryOperator<ContextInfo> change) {
        if (live.isForgotten()) {
            return;
        }
        ContextInfo changed = change.apply(live.info());
        store.update(changed);
        live.info(changed);
        events.contextChanged(changed);
    }

    /** The driver's Spark context is up: RUNNING (or still STOPPING when a stop came first). */
    void ready(LiveContext live, String applicationId, String uiUrl) {
        ContextInfo current = live.info();
        if (closed || live.isForgotten() || current.state().isTerminal()) {
            return;
        }
        ContextState next = current.state() == ContextState.STOPPING ? ContextState.STOPPING : ContextState.RUNNING;
        ContextInfo running = current.withApplication(applicationId, uiUrl).withState(next, null, null);
        store.update(running);
        live.info(running);
        events.contextChanged(running);
        LOG.info(
                "Context {} is running (application {}{})",
                live.name(),
                applicationId,
                uiUrl == null ? "" : ", Spark UI " + uiUrl);
        live.ready().complete(running);
    }

    /**
     * The context reached a final state: recorded, forgotten, its connection closed, its jobs told
     * (before anyone waiting on its end hears of it), its event executor closed.
     *
     * @param stoppedByUser whether it was stopped on request (its running jobs count as killed)
     */
    void end(LiveContext live, ContextState state, ErrorInfo error, boolean stoppedByUser) {
        ContextInfo current = live.info();
        if (closed
                || live.isForgotten()
                || !state.isTerminal()
                || !current.state().canMoveTo(state)) {
            return;
        }
        if (!stoppedByUser && ownedElsewhere(live)) {
            // its driver re-attached to another server, which now answers for it: not this server's to end
            forget(live);
            return;
        }
        ContextInfo ended = current.withState(state, clock.instant(), error);
        live.info(ended);
        try {
            store.update(ended);
        } catch (RuntimeException e) {
            LOG.error("Could not record the end of context {}", ended.name(), e);
        }
        events.contextChanged(ended);
        contexts.remove(live);
        DriverSession session = live.session();
        if (session != null && session.isOpen()) {
            session.close();
        }
        if (!live.ready().isDone()) {
            ErrorInfo reason = error != null
                    ? error
                    : ErrorInfo.of(
                            "Context " + ended.name() + " stopped before it was ready",
                            "java.lang.IllegalStateException");
            live.ready().completeExceptionally(new ContextStartException(reason));
        }
        tellEnded(ended, stoppedByUser, error);
        live.ended().complete(ended);
        live.closeEvents();
    }

    /** Whether another server took the context over; never on a server alone on its database. */
    boolean ownedElsewhere(LiveContext live) {
        return cluster.isShared()
                && cluster.owner(live.id())
                        .filter(o -> !o.equals(cluster.serverId()))
                        .isPresent();
    }

    /**
     * Another server took the context over (its driver re-attached there): this server forgets it without
     * recording anything, closes its connection if it still has one, and fails the requests waiting on it.
     */
    void forget(LiveContext live) {
        if (live.isForgotten()) {
            return;
        }
        live.forgotten();
        contexts.remove(live);
        DriverSession session = live.session();
        if (session != null && session.isOpen()) {
            session.close();
        }
        LOG.info("Context {} is served by another server now; forgetting it here", live.name());
        try {
            events.contextMoved(live.info());
        } catch (RuntimeException e) {
            LOG.error("Telling that context {} moved failed", live.name(), e);
        }
        live.closeEvents();
    }

    /** A context found lost when the server starts (its driver is gone): recorded as ERROR, its jobs told. */
    void endLost(ContextInfo info, String reason) {
        ContextInfo failed = info.withState(
                ContextState.ERROR,
                clock.instant(),
                ErrorInfo.of(
                        "Context " + info.name() + " was lost while the server was down: " + reason,
                        "java.lang.IllegalStateException"));
        store.update(failed);
        events.contextChanged(failed);
        tellEnded(failed, false, failed.error());
    }

    private void tellEnded(ContextInfo ended, boolean stoppedByUser, ErrorInfo error) {
        try {
            events.contextEnded(ended, stoppedByUser, error);
        } catch (RuntimeException e) {
            LOG.error("Recording the end of the jobs of context {} failed", ended.name(), e);
        }
    }

    /** The server stops: nothing more is recorded for the drivers it leaves running. */
    void close() {
        closed = true;
    }

    boolean isClosed() {
        return closed;
    }
}
