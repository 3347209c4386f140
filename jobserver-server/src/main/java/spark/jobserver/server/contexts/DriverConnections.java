package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.drivers.DriverProcess;
import spark.jobserver.server.drivers.DriverRegistry;
import spark.jobserver.server.drivers.DriverSession;

/**
 * Drivers' connections to their contexts. Called on each connection's reader thread, so it only notes
 * what it must at once (the connection, that the driver was heard from) and hands every message to the
 * context's event executor: a slow database, or a slow client of a job's result, never holds up the
 * reading of a driver's next frames, its heartbeats included.
 */
final class DriverConnections implements DriverRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DriverConnections.class);

    private final LiveContexts contexts;
    private final ContextLifecycle lifecycle;
    private final ContextEvents events;
    private final Clock clock;
    private final DriverQueries queries;
    private final Function<String, Optional<LiveContext>> adopt;
    private final Supplier<List<String>> servers;
    private final java.util.function.Consumer<LiveContext> attachedHere;

    /**
     * @param adopt follows a context of another server whose driver re-attaches here (empty when it is
     *     unknown, ended, or the database is this server's alone)
     * @param servers the live servers' URLs that drivers are told, this one first (empty when alone)
     * @param attachedHere told, on the context's event executor, that its driver attached here
     */
    DriverConnections(
            LiveContexts contexts,
            ContextLifecycle lifecycle,
            ContextEvents events,
            Clock clock,
            DriverQueries queries,
            Function<String, Optional<LiveContext>> adopt,
            Supplier<List<String>> servers,
            java.util.function.Consumer<LiveContext> attachedHere) {
        this.queries = requireNonNull(queries, "queries is null");
        this.adopt = requireNonNull(adopt, "adopt is null");
        this.servers = requireNonNull(servers, "servers is null");
        this.attachedHere = requireNonNull(attachedHere, "attachedHere is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.events = requireNonNull(events, "events is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public Optional<String> secretFor(String contextId) {
        return contexts.byId(contextId).or(() -> adopt.apply(contextId)).map(LiveContext::verifier);
    }

    @Override
    public List<String> servers() {
        return servers.get();
    }

    @Override
    public Optional<String> driverConfig(String contextId) {
        return contexts.byId(contextId).map(LiveContext::driverConfig);
    }

    @Override
    public boolean attached(DriverSession session) {
        Optional<LiveContext> found = contexts.byId(session.contextId());
        if (found.isEmpty()) {
            session.close();
            return false;
        }
        LiveContext live = found.get();
        DriverSession previous = live.session();
        live.session(session);
        live.seen(clock.instant());
        if (previous != null && previous != session && previous.isOpen()) {
            previous.close();
        }
        boolean running = live.state() == ContextState.RUNNING;
        LOG.info("Driver of context {} connected{}", live.name(), running ? " again" : "");
        live.execute(() -> attachedHere.accept(live));
        return running;
    }

    @Override
    public void received(DriverSession session, Message.ToServer message) {
        Optional<LiveContext> found = contexts.byId(session.contextId());
        if (found.isEmpty()) {
            return;
        }
        LiveContext live = found.get();
        // heard from now, whatever the queue of its events: a busy context is not a silent driver
        live.seen(clock.instant());
        if (message instanceof Message.NamedObjectsListed answer) {
            queries.answered(answer); // changes nothing of the context: no need to queue
            return;
        }
        live.execute(() -> handle(live, session, message));
    }

    private void handle(LiveContext live, DriverSession session, Message.ToServer message) {
        if (message instanceof Message.ContextReady ready) {
            String before = live.incarnation();
            boolean restarted = before != null
                    && ready.incarnation() != null
                    && !before.equals(ready.incarnation())
                    && live.state() == ContextState.RUNNING;
            if (ready.incarnation() != null) {
                live.incarnation(ready.incarnation());
            }
            lifecycle.ready(live, ready.applicationId(), ready.uiUrl());
            if (restarted) {
                LOG.warn(
                        "The driver of context {} was restarted (application {}): starting its jobs again",
                        live.name(),
                        ready.applicationId());
                events.driverRestarted(live.info(), live);
            }
        } else if (message instanceof Message.ContextInitFailed failed) {
            LOG.warn(
                    "Context {} failed to start: {}",
                    live.name(),
                    failed.error().message());
            lifecycle.end(live, ContextState.ERROR, failed.error(), false);
        } else if (message instanceof Message.ContextStopping stopping) {
            LOG.info("Context {} is stopping on its own: {}", live.name(), stopping.reason());
            lifecycle.moveTo(live, ContextState.STOPPING);
        } else if (message instanceof Message.JobEvent event) {
            // Recorded (committed) before the driver hears so: until then it keeps the event and sends it
            // again on its next connection. A follower that failed throws here, and no acknowledgement goes.
            events.jobEvent(live.info(), event);
            if (session.isOpen()) {
                session.send(Message.Acked.of(event));
            }
        } else if (message instanceof Message.Heartbeat heartbeat) {
            events.heartbeat(live.info(), heartbeat);
        } else if (message instanceof Message.JobProgress progress) {
            events.jobProgress(live.info(), progress);
        } else if (message instanceof Message.DriverLog log) {
            events.driverLog(live.info(), log);
        }
    }

    @Override
    public void detached(DriverSession session) {
        contexts.byId(session.contextId()).ifPresent(live -> {
            if (live.session() == session) {
                live.session(null);
                LOG.info("Driver of context {} disconnected", live.name());
                // A driver on a cluster node has no process here to watch: once asked to stop, its
                // connection closing is its end.
                live.execute(() -> {
                    DriverProcess process = live.process();
                    boolean remote = process == null || !process.reportsExit();
                    if (remote && live.state() == ContextState.STOPPING && live.session() == null) {
                        lifecycle.end(live, ContextState.FINISHED, null, true);
                    }
                });
            }
        });
    }
}
