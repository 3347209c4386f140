package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.NamedObjectInfo;
import spark.jobserver.server.binaries.ClassPathItems;
import spark.jobserver.server.config.AdmissionSettings;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.drivers.DriverConfigs;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverRegistry;
import spark.jobserver.server.drivers.SparkSettings;
import spark.jobserver.server.ha.Cluster;
import spark.jobserver.server.ha.ContextElsewhere;
import spark.jobserver.server.http.ApiException;

/**
 * Contexts: starts them (one driver JVM each), answers for them, stops them. The parts behind it:
 * {@link ContextLifecycle} alone writes a context's state; {@link DriverSupervisor} follows driver
 * processes, timeouts and heartbeats; {@link DriverConnections} takes drivers' messages; {@link
 * ContextRecovery} re-adopts drivers after a restart. Jobs get a {@link ContextHandle}, never the context.
 *
 * <p>With several servers on one database ({@link Cluster}), a context belongs to the server its driver is
 * attached to. Here it answers for the contexts it follows; a request about another server's context throws
 * {@link ContextElsewhere} (the request is forwarded there) before it changes anything; listings and states
 * come from the database. {@link #sweep} keeps this server's lease, forgets contexts whose drivers went to
 * another server, and adopts those whose server died.
 */
public final class ContextService implements AutoCloseable {
    private final ServerConfig config;
    private final ContextStore store;
    private final Clock clock;
    private final Supplier<String> serverHttpUrl;
    private final Function<String, BinaryRef> binaries;
    private final LiveContexts contexts = new LiveContexts();
    private final ContextLifecycle lifecycle;
    private final DriverSupervisor supervisor;
    private final DriverConnections connections;
    private final ContextRecovery recovery;
    private final DriverQueries queries = new DriverQueries();
    private final ScheduledExecutorService scheduler;
    private final Cluster cluster;
    private final AdmissionSettings admission;
    /** What a client is told to wait for a context that moves between servers: until a lease runs out. */
    private final Duration movingRetryAfter;
    /** Held while a start is admitted and its context added. */
    private final Object starting = new Object();
    /** The servers' URLs drivers were last told. */
    private volatile List<String> announcedServers = List.of();

    /**
     * @param events told of job events and of contexts' ends (the jobs)
     * @param scheduler runs timers (not closed here)
     * @param serverHttpUrl where drivers dial back, known once the server listens
     * @param binaries the newest uploaded binary of a name (throws ApiException 404 when there is none), for
     *     contexts' {@code dependent-jar-uris}
     * @param cluster the servers sharing the database, or {@link Cluster#alone()}
     * @param leaseTimeout how long a dead server's contexts wait for adoption (what clients are told to wait)
     */
    public ContextService(
            ServerConfig config,
            ContextStore store,
            DriverLauncher launcher,
            ContextEvents events,
            Clock clock,
            ScheduledExecutorService scheduler,
            Supplier<String> serverHttpUrl,
            Function<String, BinaryRef> binaries,
            Cluster cluster,
            Duration leaseTimeout) {
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.movingRetryAfter = requireNonNull(leaseTimeout, "leaseTimeout is null");
        this.admission = AdmissionSettings.from(config.raw());
        this.config = requireNonNull(config, "config is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.serverHttpUrl = requireNonNull(serverHttpUrl, "serverHttpUrl is null");
        this.binaries = requireNonNull(binaries, "binaries is null");
        this.lifecycle = new ContextLifecycle(store, clock, contexts, events, cluster);
        this.supervisor = new DriverSupervisor(
                launcher,
                lifecycle,
                contexts,
                scheduler,
                clock,
                config.driver().heartbeatTimeout(),
                config.contextDeletionTimeout());
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.connections = new DriverConnections(
                contexts, lifecycle, events, clock, queries, this::adoptForDriver, () -> announcedServers, live -> {
                    if (cluster.isShared()) {
                        cluster.own(live.id()); // ownership follows the driver's connection
                    }
                });
        this.recovery = new ContextRecovery(
                store,
                launcher,
                contexts,
                lifecycle,
                supervisor,
                clock,
                config.driver().reattachTimeout());
    }

    /** How much work this server takes on before answering 429. */
    public AdmissionSettings admission() {
        return admission;
    }

    /** Where drivers' connections and messages go. */
    public DriverRegistry drivers() {
        return connections;
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts a context and completes when its Spark context is up. The returned future completes on the
     * context's event thread: whoever writes an HTTP reply from it moves to a thread of its own first.
     *
     * @param settings the context's settings (already merged with the server's defaults)
     * @throws ApiException 400 for a bad name, settings that cannot work or an existing name; 404 for an
     *     unknown binary in {@code dependent-jar-uris}; all before anything is recorded or launched
     */
    public CompletableFuture<ContextInfo> start(String name, Config settings, boolean adhoc) {
        // ad-hoc names start with hex digits, as in the original; only users' names must start with a letter
        if (!adhoc) {
            ContextNames.validateUserName(name);
        }
        ContextNames.validateCharacters(name);
        SparkSettings.validate(settings, config.sparkMaster());
        List<BinaryRef> binaries = contextBinaries(name, settings);
        if (cluster.isShared()
                && contexts.byName(name).isEmpty()
                && store.latestByName(name).filter(c -> !c.state().isTerminal()).isPresent()) {
            throw ApiException.error(400, "context " + name + " exists");
        }
        String id = UUID.randomUUID().toString();
        Config effective = settings.withValue("context.name", ConfigValueFactory.fromAnyRef(name))
                .withValue("context.id", ConfigValueFactory.fromAnyRef(id))
                .withValue("is-adhoc", ConfigValueFactory.fromAnyRef(adhoc));
        Instant now = clock.instant();
        ContextInfo info = new ContextInfo(
                id,
                name,
                Configs.toJson(Configs.withoutSecrets(effective)),
                ContextState.STARTED,
                now,
                null,
                null,
                null,
                null,
                null,
                null);
        // The driver gets the private key; this server (and its database) keeps only the public verifier.
        DriverAuth.Credentials credentials = DriverAuth.newCredentials();
        LiveContext live = new LiveContext(info, credentials.verifier(), effective, adhoc, now);
        // counted and added at once: two requests cannot both take the last place
        synchronized (starting) {
            try {
                admitStart();
            } catch (ApiException e) {
                live.closeEvents();
                throw e;
            }
            if (!contexts.add(live)) {
                live.closeEvents();
                throw ApiException.error(400, "context " + name + " exists");
            }
        }
        DriverLauncher.Spec spec =
                new DriverLauncher.Spec(id, name, effective, credentials.secret(), serverHttpUrl.get(), binaries);
        live.driverConfig(DriverConfigs.render(config, spec));
        Duration timeout = startTimeout(effective);
        live.execute(() -> supervisor.launch(live, spec, timeout));
        return live.ready();
    }

    /**
     * The context's {@code dependent-jar-uris} (alias {@code cp}; a list or a comma-separated string):
     * names of uploaded binaries (their newest version), {@code local:} paths, other URIs as they are.
     */
    private List<BinaryRef> contextBinaries(String name, Config settings) {
        List<String> items = new ArrayList<>();
        for (String key : List.of("dependent-jar-uris", "cp")) {
            if (settings.hasPath(key)) {
                try {
                    items.addAll(ClassPathItems.list(settings, key));
                } catch (ConfigException e) {
                    throw ApiException.error(400, "Invalid " + key + " for context " + name + ": " + e.getMessage());
                }
            }
        }
        List<BinaryRef> refs = new ArrayList<>();
        for (String item : items) {
            Optional<String> uri = ClassPathItems.asUri(item);
            if (uri.isPresent()) {
                try {
                    new URI(uri.get());
                } catch (URISyntaxException e) {
                    throw ApiException.withError(400, "CONTEXT INIT ERROR: Malformed URL", ErrorInfo.of(e));
                }
                refs.add(BinaryRef.uri(uri.get()));
            } else {
                BinaryRef ref;
                try {
                    ref = binaries.apply(item);
                } catch (ApiException e) {
                    throw ApiException.error(
                            404,
                            "Can't find binary with name " + item + " (dependent-jar-uris of context " + name + ")");
                }
                refs.add(ref);
            }
        }
        return refs;
    }

    /** 429 while this server is starting as many contexts as it may at once. */
    private void admitStart() {
        long starting = contexts.all().stream()
                .filter(c -> c.state() == ContextState.STARTED)
                .count();
        if (starting >= admission.maxStartingContexts()) {
            throw ApiException.error(
                            429,
                            "Too many contexts starting at once on this server (" + starting + " of at most "
                                    + admission.maxStartingContexts() + "); try again shortly")
                    .retryAfter(admission.retryAfter());
        }
    }

    /** The server's context-creation timeout, or the context's own {@code context-init-timeout} when longer. */
    private Duration startTimeout(Config settings) {
        Duration timeout = config.contextCreationTimeout();
        if (settings.hasPath("context-init-timeout")) {
            Duration own = settings.getDuration("context-init-timeout");
            timeout = own.compareTo(timeout) > 0 ? own : timeout;
        }
        return timeout;
    }

    // ---------------------------------------------------------------- queries

    /** Names of the contexts that are up (RUNNING, RESTARTING, STOPPING). */
    /** The live contexts by state, for metrics. */
    public Map<String, Long> countByState() {
        Map<String, Long> counts = new TreeMap<>();
        for (LiveContext context : contexts.all()) {
            counts.merge(context.state().name(), 1L, Long::sum);
        }
        return counts;
    }

    /** The longest a running context's driver has been silent; zero when none runs. */
    public Duration longestDriverSilence() {
        Instant now = clock.instant();
        Duration longest = Duration.ZERO;
        for (LiveContext context : contexts.all()) {
            Instant seen = context.lastSeen();
            if (context.state() == ContextState.RUNNING && seen != null) {
                Duration silent = Duration.between(seen, now);
                if (silent.compareTo(longest) > 0) {
                    longest = silent;
                }
            }
        }
        return longest;
    }

    public List<String> listNames() {
        if (!cluster.isShared()) {
            return contexts.listedNames();
        }
        return store.unfinished().stream()
                .filter(c -> c.state().isListed())
                .sorted(java.util.Comparator.comparing(ContextInfo::startTime))
                .map(ContextInfo::name)
                .distinct()
                .toList();
    }

    /** Names of the contexts that are up on this server (with others on the database, only its own). */
    public List<String> localNames() {
        return contexts.listedNames();
    }

    /** The newest context of this name in any state. */
    public ContextInfo get(String name) {
        return contexts.byName(name)
                .map(LiveContext::info)
                .or(() -> store.latestByName(name))
                .orElseThrow(() -> ApiException.error(404, "can't find context with name " + name));
    }

    /**
     * A running context that can take jobs.
     *
     * @throws ApiException 404 when there is none (or it is still starting), 409 while it stops
     */
    public ContextHandle running(String name) {
        LiveContext live = contexts.byName(name)
                .filter(l -> l.state() != ContextState.STARTED)
                .orElseThrow(() -> notHere(name, "context " + name + " not found"));
        if (live.state() == ContextState.STOPPING) {
            throw ApiException.error(409, "Context stop in progress");
        }
        return live;
    }

    /**
     * Asks a context's driver what named objects it holds (metadata only).
     *
     * @return completes with the objects, or fails with an {@link ApiException}: 503 when the driver is not
     *     connected or cannot answer yet, 504 when it does not answer within {@code timeout}, 404 when the
     *     context ends meanwhile
     * @throws ApiException 404 when no context of this name is up (or it is still starting)
     */
    public CompletableFuture<List<NamedObjectInfo>> namedObjects(String name, Duration timeout) {
        LiveContext live = contexts.byName(name)
                .filter(l -> l.state() != ContextState.STARTED)
                .orElseThrow(() -> notHere(name, "context " + name + " not found"));
        DriverQueries.Pending<Message.NamedObjectsListed> pending = queries.newNamedObjectsQuery();
        CompletableFuture<Message.NamedObjectsListed> answer = pending.answer();
        try {
            live.send(new Message.ListNamedObjects(pending.requestId()));
        } catch (RuntimeException e) {
            answer.cancel(false);
            throw e;
        }
        var timer = scheduler.schedule(
                () -> answer.completeExceptionally(ApiException.error(
                        504, "The driver of context " + name + " did not answer within " + timeout.toSeconds() + " s")),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        live.ended()
                .thenRun(() -> answer.completeExceptionally(ApiException.error(404, "context " + name + " not found")));
        return answer.whenComplete((a, t) -> timer.cancel(false)).thenApply(listed -> {
            if (listed.error() != null) {
                throw ApiException.error(
                        503,
                        "The driver of context " + name + " could not list its named objects: "
                                + listed.error().message());
            }
            return listed.objects();
        });
    }

    /** The context of this id while it has not ended. */
    public Optional<ContextHandle> live(String contextId) {
        return contexts.byId(contextId).map(ContextHandle.class::cast);
    }

    /**
     * Throws {@link ContextElsewhere} when another live server has the context (not ended) of this id, or 503
     * while it moves between servers; returns when this server has it or nobody does.
     */
    public void requireHere(String contextId, String contextName) {
        if (!cluster.isShared() || contexts.byId(contextId).isPresent()) {
            return;
        }
        Optional<ContextInfo> info = store.get(contextId).filter(c -> !c.state().isTerminal());
        if (info.isPresent()) {
            throw elsewhere(info.get());
        }
    }

    /**
     * What to throw for a context this server does not follow: {@link ContextElsewhere} when another live
     * server does, 503 while it moves between servers, else 404 with {@code notFound}.
     */
    private RuntimeException notHere(String name, String notFound) {
        if (cluster.isShared()) {
            Optional<ContextInfo> info =
                    store.latestByName(name).filter(c -> !c.state().isTerminal());
            if (info.isPresent()) {
                return elsewhere(info.get());
            }
        }
        return ApiException.error(404, notFound);
    }

    private RuntimeException elsewhere(ContextInfo info) {
        Optional<Cluster.Member> owner = cluster.owner(info.id())
                .filter(id -> !id.equals(cluster.serverId()))
                .flatMap(cluster::liveMember);
        if (owner.isPresent()) {
            return new ContextElsewhere(info.name(), owner.get());
        }
        return ApiException.error(
                        503,
                        "Context " + info.name() + " is moving to another server (its server stopped or lost its"
                                + " driver); try again shortly")
                .retryAfter(movingRetryAfter);
    }

    // ---------------------------------------------------------------- stop

    /**
     * Stops a context and all its jobs.
     *
     * @return completes with true when the driver is gone within the deletion timeout (minus 2 s, as the
     *     original), false when the stop goes on in the background
     */
    public CompletableFuture<Boolean> stop(String name, boolean force) {
        long waitMillis = Math.max(1000, config.contextDeletionTimeout().toMillis() - 2000);
        return requestStop(name, force)
                .thenCompose(live -> live.ended()
                        .thenApply(ended -> true)
                        .completeOnTimeout(false, waitMillis, TimeUnit.MILLISECONDS));
    }

    /**
     * Stops a context gracefully and completes when it has ended, however long that takes (a driver that
     * ignores the request is killed after twice the deletion timeout).
     */
    public CompletableFuture<ContextInfo> stopAndWait(String name) {
        return requestStop(name, false).thenCompose(LiveContext::ended);
    }

    /** Hands the stop to the context's event executor; completes once it is under way (404 if it had ended). */
    private CompletableFuture<LiveContext> requestStop(String name, boolean force) {
        LiveContext live = contexts.byName(name).orElseThrow(() -> notHere(name, "context " + name + " not found"));
        CompletableFuture<LiveContext> underway = new CompletableFuture<>();
        boolean queued = live.submit(() -> {
            try {
                supervisor.stop(live, force);
                underway.complete(live);
            } catch (RuntimeException e) {
                underway.completeExceptionally(e);
            }
        });
        if (!queued) {
            throw ApiException.error(404, "context " + name + " not found");
        }
        return underway;
    }

    // ---------------------------------------------------------------- supervision

    /**
     * Marks the contexts lost while the server was down (and their jobs) and waits, in the background, for
     * the others' drivers to re-attach. Called before the server answers its first request.
     */
    public void recover() {
        if (cluster.isShared()) {
            // first: while this server's lease holds, no other server takes its contexts
            cluster.renewLease();
            announcedServers = liveServerUrls();
        }
        recovery.recover(info -> !cluster.isShared() || cluster.owns(info.id()));
    }

    /**
     * With other servers on the database: renews this server's lease, tells drivers when the live servers
     * changed, forgets contexts whose drivers went to another server, and adopts those whose server is dead
     * (their drivers are waited for as after a restart). Runs every lease interval.
     */
    public void sweep() {
        if (!cluster.isShared()) {
            return;
        }
        cluster.renewLease();
        List<String> urls = liveServerUrls();
        if (!urls.equals(announcedServers)) {
            announcedServers = urls;
            for (LiveContext live : contexts.all()) {
                var session = live.session();
                if (session != null && session.isOpen()) {
                    try {
                        session.send(new Message.Servers(urls));
                    } catch (RuntimeException e) {
                        // closed meanwhile: the driver is told the servers again when it re-attaches
                    }
                }
            }
        }
        for (LiveContext live : contexts.all()) {
            live.execute(() -> {
                var session = live.session();
                if (!live.ended().isDone()
                        && (session == null || !session.isOpen())
                        && lifecycle.ownedElsewhere(live)) {
                    lifecycle.forget(live);
                }
            });
        }
        cluster.orphans().forEach((contextId, formerOwner) -> {
            if (contexts.byId(contextId).isPresent()) {
                cluster.claim(contextId, formerOwner); // this server's own, recorded before it had an owner
            } else if (cluster.claim(contextId, formerOwner)) {
                adopt(contextId);
            }
        });
    }

    private List<String> liveServerUrls() {
        return cluster.liveMembers().stream().map(Cluster.Member::url).toList();
    }

    /** The context, adopted now if it is another server's (not ended) and the database is shared. */
    private Optional<LiveContext> adoptForDriver(String contextId) {
        if (!cluster.isShared()) {
            return Optional.empty();
        }
        return adopt(contextId);
    }

    private Optional<LiveContext> adopt(String contextId) {
        Optional<ContextInfo> info = store.get(contextId).filter(c -> !c.state().isTerminal());
        Optional<String> secret = info.flatMap(c -> store.secret(c.id()));
        if (info.isEmpty() || secret.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(recovery.adopt(info.get(), secret.get()));
    }

    /** Declares dead the drivers that have been silent longer than the heartbeat timeout. */
    public void checkHeartbeats() {
        supervisor.checkHeartbeats();
    }

    /**
     * Leaves drivers running (they outlive the server by design); just forgets them. With other servers on
     * the database it gives up its lease, so that they adopt its contexts at once.
     */
    @Override
    public void close() {
        lifecycle.close();
        if (cluster.isShared()) {
            try {
                cluster.leave();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(ContextService.class)
                        .warn("Could not give up this server's lease: {}", e.getMessage());
            }
        }
        for (LiveContext live : contexts.all()) {
            live.closeEvents();
            var session = live.session();
            if (session != null && session.isOpen()) {
                session.close();
            }
        }
    }
}
