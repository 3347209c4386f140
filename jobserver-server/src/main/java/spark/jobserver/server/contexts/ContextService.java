package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.binaries.ClassPathItems;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverRegistry;
import spark.jobserver.server.drivers.DriverSession;
import spark.jobserver.server.http.ApiException;

/**
 * Supervises contexts: launches one driver JVM per context, follows it through its connection,
 * heartbeats and process exit, stops it, and re-adopts the drivers that outlived a server restart.
 * Each context's life is a state machine ({@link ContextState}) moved only by {@link #end} and
 * {@link #transition}; listeners are called outside locks.
 */
public final class ContextService implements DriverRegistry, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContextService.class);

    /** Told about job events and the end of contexts. */
    public interface Listener {
        void jobEvent(ContextInfo context, Message.JobEvent event);

        /**
         * The context reached a final state.
         *
         * @param stoppedByUser whether it was stopped on request (its running jobs count as killed)
         */
        void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason);

        /** The context's driver reported the jobs it is running. */
        default void heartbeat(ContextInfo context, Message.Heartbeat heartbeat) {}
    }

    private final ServerConfig config;
    private final ContextStore store;
    private final DriverLauncher launcher;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Supplier<String> serverHttpUrl;
    private final Function<String, String> binarySha;
    private final ConcurrentHashMap<String, LiveContext> byId = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveContext> byName = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    /** Set when the server stops: drivers outlive it, so their later exits are not this server's business. */
    private volatile boolean closed;

    public ContextService(
            ServerConfig config,
            ContextStore store,
            DriverLauncher launcher,
            Clock clock,
            ScheduledExecutorService scheduler,
            Supplier<String> serverHttpUrl) {
        this(config, store, launcher, clock, scheduler, serverHttpUrl, name -> {
            throw ApiException.error(404, "Can't find binary with name " + name);
        });
    }

    /**
     * @param binarySha the SHA-256 of the newest uploaded binary of a name (throws ApiException 404 when
     *     there is none), for contexts' {@code dependent-jar-uris}
     */
    public ContextService(
            ServerConfig config,
            ContextStore store,
            DriverLauncher launcher,
            Clock clock,
            ScheduledExecutorService scheduler,
            Supplier<String> serverHttpUrl,
            Function<String, String> binarySha) {
        this.binarySha = requireNonNull(binarySha, "binarySha is null");
        this.config = requireNonNull(config, "config is null");
        this.store = requireNonNull(store, "store is null");
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.serverHttpUrl = requireNonNull(serverHttpUrl, "serverHttpUrl is null");
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** A context that has not reached a final state, with its driver. */
    public static final class LiveContext {
        private volatile ContextInfo info;
        private final String secret;
        private final Config settings;
        private final boolean adhoc;
        private volatile ProcessHandle process;
        private volatile DriverSession session;
        private volatile Instant lastSeen;
        private final CompletableFuture<ContextInfo> ready = new CompletableFuture<>();
        private final CompletableFuture<ContextInfo> ended = new CompletableFuture<>();

        private LiveContext(ContextInfo info, String secret, Config settings, boolean adhoc, Instant now) {
            this.info = info;
            this.secret = secret;
            this.settings = settings;
            this.adhoc = adhoc;
            this.lastSeen = now;
        }

        public ContextInfo info() {
            return info;
        }

        public String id() {
            return info.id();
        }

        public String name() {
            return info.name();
        }

        public Config settings() {
            return settings;
        }

        public boolean isAdhoc() {
            return adhoc;
        }

        /** Completes when the context reaches a final state. */
        public CompletableFuture<ContextInfo> ended() {
            return ended;
        }

        /** Sends a message to the driver. */
        public void send(Message.ToDriver message) {
            DriverSession s = session;
            if (s == null || !s.isOpen()) {
                throw ApiException.error(
                        503, "The driver of context " + info.name() + " is not connected; try again shortly");
            }
            s.send(message);
        }
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts a context and completes when its Spark context is up.
     *
     * @param settings the context's settings (already merged with the server's defaults)
     */
    public CompletableFuture<ContextInfo> start(String name, Config settings, boolean adhoc) {
        // ad-hoc names start with hex digits, as in the original; only users' names must start with a letter
        if (!adhoc) {
            validateName(name);
        }
        validateCharacters(name);
        // Before anything is recorded or launched: an unknown binary fails the request, not a driver.
        List<BinaryRef> binaries = contextBinaries(name, settings);
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
        if (byName.putIfAbsent(name, live) != null) {
            throw ApiException.error(400, "context " + name + " exists");
        }
        byId.put(id, live);
        try {
            store.insert(info, live.secret);
            DriverLauncher.Launched launched = launcher.launch(
                    new DriverLauncher.Spec(id, name, effective, credentials.secret(), serverHttpUrl.get(), binaries));
            live.process = launched.process().toHandle();
            updateInfo(
                    live,
                    live.info.withProcess(
                            launched.process().pid(), launched.logFile().toString()));
            launched.process().onExit().thenAccept(p -> onProcessExit(live, p.exitValue()));
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not launch the driver of context {}", name, e);
            kill(live); // a driver that started before the failure must not live on unsupervised
            end(live, ContextState.ERROR, ErrorInfo.of(e), false);
            return CompletableFuture.failedFuture(e);
        }
        Duration timeout = initTimeout(effective);
        scheduler.schedule(
                () -> {
                    if (!live.ready.isDone()) {
                        String message = "Context " + name + " did not start within " + timeout.toSeconds() + " s";
                        LOG.warn(message);
                        kill(live);
                        end(
                                live,
                                ContextState.ERROR,
                                withLogTail(new ErrorInfo(message, "java.util.concurrent.TimeoutException", ""), live),
                                false);
                    }
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        return live.ready;
    }

    /**
     * The context's {@code dependent-jar-uris} (alias {@code cp}; a list or a comma-separated string):
     * names of uploaded binaries (their newest version), {@code local:} paths, other URIs as they are.
     */
    private List<BinaryRef> contextBinaries(String name, Config settings) {
        List<String> items = new ArrayList<>();
        for (String key : List.of("dependent-jar-uris", "cp")) {
            if (!settings.hasPath(key)) {
                continue;
            }
            try {
                items.addAll(ClassPathItems.list(settings, key));
            } catch (com.typesafe.config.ConfigException e) {
                throw ApiException.error(400, "Invalid " + key + " for context " + name + ": " + e.getMessage());
            }
        }
        List<BinaryRef> refs = new ArrayList<>();
        for (String item : items) {
            java.util.Optional<String> uri = ClassPathItems.asUri(item);
            if (uri.isPresent()) {
                try {
                    new java.net.URI(uri.get());
                } catch (java.net.URISyntaxException e) {
                    throw ApiException.withError(400, "CONTEXT INIT ERROR: Malformed URL", ErrorInfo.of(e));
                }
                refs.add(BinaryRef.uri(uri.get()));
            } else {
                String sha;
                try {
                    sha = binarySha.apply(item);
                } catch (ApiException e) {
                    throw ApiException.error(
                            404,
                            "Can't find binary with name " + item + " (dependent-jar-uris of context " + name + ")");
                }
                refs.add(BinaryRef.uploaded(item, sha));
            }
        }
        return refs;
    }

    private Duration initTimeout(Config settings) {
        Duration timeout = config.contextCreationTimeout();
        if (settings.hasPath("context-init-timeout")) {
            Duration own = settings.getDuration("context-init-timeout");
            timeout = own.compareTo(timeout) > 0 ? own : timeout;
        }
        return timeout;
    }

    static void validateName(String name) {
        if (name == null || name.isEmpty() || !Character.isLetter(name.charAt(0))) {
            throw ApiException.error(400, "context name must start with letters");
        }
        validateCharacters(name);
    }

    private static void validateCharacters(String name) {
        if (name.length() > 200 || name.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c))) {
            throw ApiException.error(
                    400,
                    "context name must not contain slashes or control characters and must be"
                            + " at most 200 characters long");
        }
    }

    // ---------------------------------------------------------------- queries

    /** Names of the contexts that are up (RUNNING, RESTARTING, STOPPING). */
    public List<String> listNames() {
        return byName.values().stream()
                .map(LiveContext::info)
                .filter(i -> i.state().isListed())
                .sorted(Comparator.comparing(ContextInfo::startTime))
                .map(ContextInfo::name)
                .toList();
    }

    /** The newest context of this name in any state. */
    public ContextInfo get(String name) {
        LiveContext live = byName.get(name);
        if (live != null) {
            return live.info;
        }
        return store.latestByName(name)
                .orElseThrow(() -> ApiException.error(404, "can't find context with name " + name));
    }

    /** A running context that can take jobs. */
    public LiveContext running(String name) {
        LiveContext live = byName.get(name);
        if (live == null || live.info.state() == ContextState.STARTED) {
            throw ApiException.error(404, "context " + name + " not found");
        }
        if (live.info.state() == ContextState.STOPPING) {
            throw ApiException.error(409, "Context stop in progress");
        }
        return live;
    }

    public Optional<LiveContext> live(String contextId) {
        return Optional.ofNullable(byId.get(contextId));
    }

    // ---------------------------------------------------------------- stop

    /**
     * Stops a context and all its jobs.
     *
     * @return completes with true when the driver is gone within the deletion timeout, false when the
     *     stop goes on in the background
     */
    public CompletableFuture<Boolean> stop(String name, boolean force) {
        LiveContext live = byName.get(name);
        if (live == null) {
            throw ApiException.error(404, "context " + name + " not found");
        }
        if (!transition(live, ContextState.STOPPING)) {
            if (live.info.state() != ContextState.STOPPING) {
                throw ApiException.error(404, "context " + name + " not found");
            }
            // already stopping (a second DELETE, or the driver stopping on its own): wait for the same end
            if (force) {
                kill(live);
            }
            return awaitEnd(live);
        }
        LOG.info("Stopping context {}{}", name, force ? " (forced)" : "");
        DriverSession session = live.session;
        if (force || session == null || !session.isOpen()) {
            if (!kill(live)) {
                end(live, ContextState.FINISHED, null, true);
            }
        } else {
            try {
                session.send(new Message.StopContext());
            } catch (RuntimeException e) {
                LOG.warn("Could not ask context {} to stop; killing its driver", name, e);
                kill(live);
            }
            // a driver that ignores the request is killed eventually
            scheduler.schedule(
                    () -> {
                        if (!live.ended.isDone()) {
                            LOG.warn("Context {} did not stop in time; killing its driver", name);
                            if (!kill(live)) {
                                end(live, ContextState.FINISHED, null, true);
                            }
                        }
                    },
                    config.contextDeletionTimeout().toMillis() * 2,
                    TimeUnit.MILLISECONDS);
        }
        return awaitEnd(live);
    }

    /** True when the context ends within the deletion timeout (minus 2 s, as the original), false otherwise. */
    private CompletableFuture<Boolean> awaitEnd(LiveContext live) {
        long waitMillis = Math.max(1000, config.contextDeletionTimeout().toMillis() - 2000);
        return live.ended.thenApply(i -> true).completeOnTimeout(false, waitMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops a context gracefully and completes when it has ended, however long that takes (a driver that
     * ignores the request is killed after twice the deletion timeout).
     */
    public CompletableFuture<ContextInfo> stopAndWait(String name) {
        LiveContext live = byName.get(name);
        if (live == null) {
            throw ApiException.error(404, "context " + name + " not found");
        }
        stop(name, false);
        return live.ended;
    }

    /** Kills the driver's process tree; false when there is no process to kill. */
    private boolean kill(LiveContext live) {
        ProcessHandle process = live.process;
        if (process == null || !process.isAlive()) {
            return false;
        }
        killTree(process);
        return true;
    }

    private static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    // ---------------------------------------------------------------- driver events

    @Override
    public Optional<String> secretFor(String contextId) {
        LiveContext live = byId.get(contextId);
        return live == null ? Optional.empty() : Optional.of(live.secret);
    }

    @Override
    public boolean attached(DriverSession session) {
        LiveContext live = byId.get(session.contextId());
        if (live == null) {
            session.close();
            return false;
        }
        DriverSession previous = live.session;
        live.session = session;
        live.lastSeen = clock.instant();
        if (previous != null && previous != session && previous.isOpen()) {
            previous.close();
        }
        boolean running = live.info.state() == ContextState.RUNNING;
        LOG.info("Driver of context {} connected{}", live.name(), running ? " again" : "");
        return running;
    }

    @Override
    public void received(DriverSession session, Message.ToServer message) {
        LiveContext live = byId.get(session.contextId());
        if (live == null) {
            return;
        }
        live.lastSeen = clock.instant();
        if (message instanceof Message.ContextReady ready) {
            onReady(live, ready);
        } else if (message instanceof Message.ContextInitFailed failed) {
            LOG.warn(
                    "Context {} failed to start: {}",
                    live.name(),
                    failed.error().message());
            end(live, ContextState.ERROR, failed.error(), false);
        } else if (message instanceof Message.ContextStopping stopping) {
            LOG.info("Context {} is stopping on its own: {}", live.name(), stopping.reason());
            transition(live, ContextState.STOPPING);
        } else if (message instanceof Message.JobEvent event) {
            listeners.forEach(l -> l.jobEvent(live.info, event));
        } else if (message instanceof Message.Heartbeat heartbeat) {
            listeners.forEach(l -> l.heartbeat(live.info, heartbeat));
        }
    }

    private void onReady(LiveContext live, Message.ContextReady ready) {
        synchronized (live) {
            ContextInfo info = live.info;
            if (info.state().isTerminal()) {
                return;
            }
            ContextState next = info.state() == ContextState.STOPPING ? ContextState.STOPPING : ContextState.RUNNING;
            live.info =
                    info.withApplication(ready.applicationId(), ready.uiUrl()).withState(next, null, null);
            store.update(live.info);
        }
        LOG.info("Context {} is running (application {})", live.name(), ready.applicationId());
        live.ready.complete(live.info);
    }

    @Override
    public void detached(DriverSession session) {
        LiveContext live = byId.get(session.contextId());
        if (live != null && live.session == session) {
            live.session = null;
            LOG.info("Driver of context {} disconnected", live.name());
        }
    }

    private void onProcessExit(LiveContext live, int exitCode) {
        if (closed) {
            return; // a stopped server's former driver: the running server follows it, if anyone does
        }
        if (live.info.state() == ContextState.STOPPING) {
            end(live, ContextState.FINISHED, null, true);
        } else {
            String message =
                    "Context " + live.name() + " terminated unexpectedly: its driver exited with code " + exitCode;
            LOG.warn(message);
            end(
                    live,
                    ContextState.ERROR,
                    withLogTail(ErrorInfo.of(message, "java.lang.IllegalStateException"), live),
                    false);
        }
    }

    // ---------------------------------------------------------------- state machine

    private boolean transition(LiveContext live, ContextState to) {
        synchronized (live) {
            if (live.info.state().isTerminal() || live.info.state() == to) {
                return false;
            }
            live.info = live.info.withState(to, null, live.info.error());
            store.update(live.info);
            return true;
        }
    }

    private void updateInfo(LiveContext live, ContextInfo info) {
        synchronized (live) {
            live.info = info;
            store.update(info);
        }
    }

    private void end(LiveContext live, ContextState state, ErrorInfo error, boolean stoppedByUser) {
        ContextInfo ended;
        synchronized (live) {
            if (closed || live.info.state().isTerminal()) {
                return;
            }
            live.info = live.info.withState(state, clock.instant(), error);
            ended = live.info;
            try {
                store.update(ended);
            } catch (RuntimeException e) {
                LOG.error("Could not record the end of context {}", ended.name(), e);
            }
        }
        byName.remove(ended.name(), live);
        byId.remove(ended.id(), live);
        DriverSession session = live.session;
        if (session != null && session.isOpen()) {
            session.close();
        }
        if (!live.ready.isDone()) {
            ErrorInfo reason = error != null
                    ? error
                    : ErrorInfo.of(
                            "Context " + ended.name() + " stopped before it was ready",
                            "java.lang.IllegalStateException");
            live.ready.completeExceptionally(new ContextStartException(reason));
        }
        live.ended.complete(ended);
        for (Listener listener : listeners) {
            try {
                listener.contextEnded(ended, stoppedByUser, error);
            } catch (RuntimeException e) {
                LOG.error("Listener failed on the end of context {}", ended.name(), e);
            }
        }
    }

    private static ErrorInfo withLogTail(ErrorInfo error, LiveContext live) {
        String logPath = live.info.logPath();
        if (logPath == null) {
            return error;
        }
        try {
            List<String> lines = tailLines(Path.of(logPath), 64 * 1024);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 40), lines.size());
            return new ErrorInfo(
                    error.message() + " (driver log: " + logPath + ")",
                    error.errorClass(),
                    "Last lines of the driver log:\n" + String.join("\n", tail));
        } catch (IOException | RuntimeException e) {
            return error;
        }
    }

    /** The lines of the last {@code maxBytes} of a file; never reads a long-lived driver's whole log. */
    static List<String> tailLines(Path file, int maxBytes) throws IOException {
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file)) {
            long start = Math.max(0, channel.size() - maxBytes);
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) (channel.size() - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read to the end
            }
            // lenient decoding: a driver may log bytes that are not UTF-8
            String text = new String(buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\\R")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0); // a partial first line
            }
            return lines;
        }
    }

    // ---------------------------------------------------------------- recovery and supervision

    /**
     * After a server restart: every context that was not final is waited for; drivers that re-attach
     * within the re-attach timeout are adopted, the others' contexts end in ERROR. Runs in the
     * background; the server serves requests meanwhile.
     */
    public void recover() {
        List<ContextInfo> unfinished = store.unfinished();
        if (unfinished.isEmpty()) {
            return;
        }
        List<LiveContext> waiting = new ArrayList<>();
        for (ContextInfo info : unfinished) {
            String secret = store.secret(info.id()).orElse(null);
            // The stored pid is the driver's only while that process still runs this context (pids are reused).
            Optional<ProcessHandle> process = info.pid() == null
                    ? Optional.empty()
                    : ProcessHandle.of(info.pid())
                            .filter(ProcessHandle::isAlive)
                            .filter(p -> runsContext(p, info.id()));
            String lost = secret == null
                    ? "its secret is not stored"
                    : info.state() == ContextState.STARTED
                            ? "it was still starting"
                            : info.pid() != null && process.isEmpty()
                                    ? "its driver (pid " + info.pid() + ") is gone"
                                    : null;
            if (lost != null) {
                process.ifPresent(ContextService::killTree);
                LOG.warn("Context {} was lost while the server was down: {}", info.name(), lost);
                ContextInfo failed = info.withState(
                        ContextState.ERROR,
                        clock.instant(),
                        ErrorInfo.of(
                                "Context " + info.name() + " was lost while the server was down: " + lost,
                                "java.lang.IllegalStateException"));
                store.update(failed);
                listeners.forEach(l -> l.contextEnded(failed, false, failed.error()));
                continue;
            }
            Config settings = com.typesafe.config.ConfigFactory.parseString(info.config());
            LiveContext live = new LiveContext(
                    info,
                    secret,
                    settings,
                    settings.hasPath("is-adhoc") && settings.getBoolean("is-adhoc"),
                    clock.instant());
            process.ifPresent(p -> {
                live.process = p;
                p.onExit().thenAccept(h -> onProcessExit(live, -1));
            });
            live.ready.complete(info);
            byName.put(info.name(), live);
            byId.put(info.id(), live);
            waiting.add(live);
        }
        if (waiting.isEmpty()) {
            return;
        }
        LOG.info(
                "Waiting up to {} s for the drivers of {} context(s) to re-attach",
                config.driver().reattachTimeout().toSeconds(),
                waiting.size());
        scheduler.schedule(
                () -> {
                    for (LiveContext live : waiting) {
                        if (live.session == null && !live.ended.isDone()) {
                            LOG.warn("The driver of context {} did not re-attach", live.name());
                            kill(live);
                            end(
                                    live,
                                    ContextState.ERROR,
                                    ErrorInfo.of(
                                            "The driver of context " + live.name()
                                                    + " did not re-attach after a server restart",
                                            "java.lang.IllegalStateException"),
                                    false);
                        }
                    }
                },
                config.driver().reattachTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Whether the process's command line names the context (its driver.conf is under the context's directory). */
    private static boolean runsContext(ProcessHandle process, String contextId) {
        Optional<String[]> arguments = process.info().arguments();
        // Without a visible command line (another user's process, or a platform that hides it), trust the pid.
        return arguments.isEmpty() || java.util.Arrays.stream(arguments.get()).anyMatch(a -> a.contains(contextId));
    }

    /** Declares dead the drivers that have been silent longer than the heartbeat timeout. */
    public void checkHeartbeats() {
        Instant deadline = clock.instant().minus(config.driver().heartbeatTimeout());
        for (LiveContext live : byId.values()) {
            if (live.info.state() == ContextState.RUNNING && live.session != null && live.lastSeen.isBefore(deadline)) {
                String message = "Context " + live.name() + " terminated: no heartbeat from its driver for "
                        + config.driver().heartbeatTimeout().toSeconds() + " s";
                LOG.warn(message);
                kill(live);
                end(live, ContextState.ERROR, ErrorInfo.of(message, "java.util.concurrent.TimeoutException"), false);
            }
        }
    }

    /** Leaves drivers running (they outlive the server by design); just forgets them. */
    @Override
    public void close() {
        closed = true;
        byId.values().forEach(live -> {
            DriverSession s = live.session;
            if (s != null && s.isOpen()) {
                s.close();
            }
        });
    }

    /** The context could not be started. */
    public static final class ContextStartException extends RuntimeException {
        private final transient ErrorInfo error;

        ContextStartException(ErrorInfo error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ErrorInfo error() {
            return error;
        }
    }
}
