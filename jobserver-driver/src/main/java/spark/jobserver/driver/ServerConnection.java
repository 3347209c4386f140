package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/**
 * The driver's one connection to the server, kept alive across server restarts.
 *
 * <p>Outgoing messages go through one queue drained by one thread ({@code jobserver-ws-sender-1}), which
 * both keeps them in order and honours the JDK WebSocket's rule of one outstanding send at a time. While
 * the server is unreachable, job events and other non-periodic messages stay queued; heartbeats are
 * dropped. A connector thread ({@code jobserver-ws-connector-1}) (re)connects with backoff for up to the
 * grace period: on every connection it answers the server's challenge, and once accepted it announces
 * the context ({@code ContextReady}, when the context is up), flushes the queued events in order and
 * sends a heartbeat.
 *
 * <p>Job events are kept after they are sent, until the server acknowledges them ({@code Acked}, sent once
 * its database has them): an event sent just before a server died is sent again, first thing after the
 * greeting, on the next connection. Servers sharing a database tell the driver each other's addresses
 * ({@code Accepted}, {@code Servers}); when the connection is lost the connector tries them in turn, the
 * next one at once (after a connection that lasted) and the one it lost last, and backs off only after a
 * whole round failed.
 */
final class ServerConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);
    /** A send that takes longer means the connection is dead even if TCP has not noticed yet. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    /**
     * A connection that lasted this long was a good one: when it is lost, the next server is tried at once.
     * One that a server drops sooner is retried after the backoff, so that a driver a server accepts and
     * drops does not reconnect in a tight loop.
     */
    static final Duration STABLE_CONNECTION = Duration.ofSeconds(5);

    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** What the connection tells the driver. */
    interface Listener {

        /** A message from the server, on the WebSocket's thread; must not block for long. */
        void onMessage(Message.ToDriver message);

        /** The server stays unreachable (grace period over) or refused this driver; no retry follows. */
        void onGiveUp(String reason);
    }

    private final String contextId;
    private final String secret;
    private final HttpClient client;
    private final Duration gracePeriod;
    private final Listener listener;
    private final Supplier<List<String>> runningJobs;
    private final Clock clock;

    private final Object lock = new Object();
    // All guarded by lock:
    private final Deque<Message.ToServer> outbox = new ArrayDeque<>();
    /** Job events sent and not yet acknowledged, oldest first. */
    private final List<Message.JobEvent> unacked = new ArrayList<>();
    /** The servers' WebSocket endpoints; {@link #target} indexes the one in use or tried last. */
    private List<URI> servers;

    private int target;
    private Session active;
    private Message.ContextReady greeting;
    private Instant disconnectedSince;
    private boolean everConnected;
    private boolean closed;
    private boolean gaveUp;

    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    private final Thread connector;
    private final Thread sender;

    /**
     * @param runningJobs the ids of the running jobs, for the heartbeat sent after each (re)connection
     */
    ServerConnection(
            URI uri,
            String contextId,
            String secret,
            HttpClient client,
            Duration gracePeriod,
            Listener listener,
            Supplier<List<String>> runningJobs,
            Clock clock) {
        this.servers = List.of(requireNonNull(uri, "uri is null"));
        this.contextId = requireNonNull(contextId, "contextId is null");
        this.secret = requireNonNull(secret, "secret is null");
        this.client = requireNonNull(client, "client is null");
        this.gracePeriod = requireNonNull(gracePeriod, "gracePeriod is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.runningJobs = requireNonNull(runningJobs, "runningJobs is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.connector = NamedThreads.daemon("jobserver-ws-connector").newThread(this::connectLoop);
        this.sender = NamedThreads.daemon("jobserver-ws-sender").newThread(this::sendLoop);
    }

    /** Starts connecting; {@link #firstConnection()} completes when the server first accepts the driver. */
    void start() {
        synchronized (lock) {
            disconnectedSince = clock.instant();
        }
        connector.start();
        sender.start();
    }

    /** Completes when the server accepted the driver for the first time; fails if the connector gives up first. */
    CompletableFuture<Void> firstConnection() {
        return firstConnection;
    }

    /** Whether the server has accepted the current connection. */
    boolean isConnected() {
        synchronized (lock) {
            return active != null;
        }
    }

    /** The base HTTP URL of the server in use (or tried last): where the driver fetches and uploads files. */
    URI serverHttpUrl() {
        synchronized (lock) {
            return httpBaseOf(servers.get(target));
        }
    }

    /** The job events sent and not yet acknowledged, for tests. */
    int unackedEvents() {
        synchronized (lock) {
            return unacked.size();
        }
    }

    /** Queues {@code message}; it is delivered, in order, on this connection or the next one. */
    void send(Message.ToServer message) {
        requireNonNull(message, "message is null");
        synchronized (lock) {
            if (closed) {
                log.warn(
                        "Not sending {} : the connection is closed",
                        message.getClass().getSimpleName());
                return;
            }
            outbox.addLast(message);
            lock.notifyAll();
        }
    }

    /** Queues {@code message} only while connected: for periodic messages that are stale by the next connection. */
    void sendIfConnected(Message.ToServer message) {
        requireNonNull(message, "message is null");
        synchronized (lock) {
            if (!closed && active != null) {
                outbox.addLast(message);
                lock.notifyAll();
            }
        }
    }

    /**
     * The context is up: announces it now if connected, and first thing on every later connection.
     */
    void contextReady(Message.ContextReady ready) {
        requireNonNull(ready, "ready is null");
        synchronized (lock) {
            greeting = ready;
            if (active != null) {
                outbox.addFirst(ready);
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits until every queued message is sent and every job event acknowledged, the connection is lost, or
     * {@code timeout} passes.
     *
     * @return whether the queue is empty
     */
    boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while ((!outbox.isEmpty() || !unacked.isEmpty()) && active != null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return outbox.isEmpty();
        }
    }

    /** Sends what is queued (waiting up to {@code flushTimeout}), then closes the socket normally. */
    void close(Duration flushTimeout) {
        try {
            flush(flushTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Session session;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            session = active;
            active = null;
            if (!outbox.isEmpty() || !unacked.isEmpty()) {
                log.warn(
                        "Closing the server connection with {} message(s) undelivered and {} job event(s) not"
                                + " acknowledged",
                        outbox.size(),
                        unacked.size());
            }
            lock.notifyAll();
        }
        connector.interrupt();
        try {
            // The sender may be in the middle of a send; the socket allows no close frame until it is done.
            sender.join(SEND_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (session != null) {
            session.close();
        }
        firstConnection.completeExceptionally(new IllegalStateException("connection closed"));
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    // ---- connecting

    private void connectLoop() {
        Duration backoff = Duration.ZERO;
        int failedInRound = 0;
        // just lost a connection that was a good one: with other servers known, the next one is tried at once
        boolean justLost = false;
        Instant connectedAt = Instant.EPOCH;
        while (true) {
            Instant since;
            URI uri;
            synchronized (lock) {
                while (!closed && active != null) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                if (closed) {
                    return;
                }
                since = disconnectedSince;
                uri = servers.get(target);
                if (justLost
                        && servers.size() > 1
                        && Duration.between(connectedAt, clock.instant()).compareTo(STABLE_CONNECTION) >= 0) {
                    backoff = Duration.ZERO;
                }
                justLost = false;
            }
            if (!backoff.isZero() && !pause(backoff)) {
                return;
            }
            try {
                Session session = handshake(uri);
                if (activate(session)) {
                    backoff = INITIAL_BACKOFF;
                    failedInRound = 0;
                    justLost = true;
                    connectedAt = clock.instant();
                    continue;
                }
            } catch (AuthenticationRejectedException e) {
                boolean first;
                synchronized (lock) {
                    first = !everConnected;
                }
                if (first) {
                    // A wrong secret or an unknown context will not fix itself.
                    giveUp("the server refused this driver's authentication: " + e.getMessage());
                    return;
                }
                log.warn("The server refused to re-attach this driver ({}); retrying", e.getMessage());
            } catch (InterruptedException e) {
                if (isClosed()) {
                    return;
                }
            } catch (Exception e) {
                log.info("Cannot reach the server at {}: {}", uri, describe(e));
            }
            Duration left = gracePeriod.minus(Duration.between(since, clock.instant()));
            if (left.isNegative() || left.isZero()) {
                giveUp(describeServers() + " unreachable for " + gracePeriod);
                return;
            }
            int known;
            synchronized (lock) {
                known = servers.size();
                target = (target + 1) % known;
            }
            if (++failedInRound < known) {
                // Another server is worth a try at once; backing off is for a whole round that failed.
                backoff = Duration.ZERO;
                continue;
            }
            failedInRound = 0;
            Duration next = backoff.isZero() ? INITIAL_BACKOFF : backoff.multipliedBy(2);
            next = next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
            backoff = next.compareTo(left) > 0 ? left : next;
        }
    }

    /** Sleeps unless closed meanwhile; false when closed. */
    private boolean pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (lock) {
            while (!closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    // Only close() interrupts the connector; the loop condition sees it.
                }
            }
            return false;
        }
    }

    private String describeServers() {
        synchronized (lock) {
            return servers.size() == 1
                    ? "the server at " + servers.get(0) + " has been"
                    : "the servers " + servers + " have been";
        }
    }

    /** Opens a socket to {@code uri} and authenticates; the session is not yet the active one. */
    private Session handshake(URI uri) throws Exception {
        Session session = new Session();
        try {
            WebSocket socket = client.newWebSocketBuilder()
                    .connectTimeout(CONNECT_TIMEOUT)
                    .buildAsync(uri, session)
                    .get(CONNECT_TIMEOUT.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
            session.socket = socket;
            String nonce = await(session.challenge, "the server's challenge");
            Message answer = new Message.Authenticate(contextId, DriverAuth.mac(secret, nonce));
            socket.sendText(Messages.toJson(answer), true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            boolean known;
            try {
                known = await(session.accepted, "the server's answer to the authentication");
            } catch (ConnectionClosedException e) {
                throw new AuthenticationRejectedException(e.getMessage());
            }
            log.info("Connected to the server at {} (context known as ready: {})", uri, known);
            return session;
        } catch (Exception e) {
            session.abort();
            throw e;
        }
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(HANDSHAKE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("no " + what + " within " + HANDSHAKE_TIMEOUT);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Makes an authenticated session the one messages go through; false when it died meanwhile. */
    private boolean activate(Session session) {
        // Asked before taking the lock: job state machines publish events under their own locks.
        List<String> running = runningJobs.get();
        synchronized (lock) {
            if (closed || session.closed.isDone()) {
                session.abort();
                return false;
            }
            active = session;
            everConnected = true;
            // Events the last server may not have recorded go again, before those queued since (one being sent
            // on the old connection right now is still queued: it goes once).
            for (int i = unacked.size() - 1; i >= 0; i--) {
                Message.JobEvent event = unacked.get(i);
                if (outbox.stream().noneMatch(queued -> queued == event)) {
                    outbox.addFirst(event);
                }
            }
            unacked.clear();
            if (greeting != null) {
                // The context is up: announce it before the events queued while disconnected, then prove
                // the driver alive with the current list of jobs.
                outbox.addFirst(greeting);
                outbox.addLast(new Message.Heartbeat(clock.millis(), running));
            }
            if (!outbox.isEmpty()) {
                log.info("Sending {} message(s) queued while disconnected", outbox.size());
            }
            lock.notifyAll();
        }
        firstConnection.complete(null);
        return true;
    }

    private void lost(Session session, String why) {
        synchronized (lock) {
            if (active != session) {
                return;
            }
            active = null;
            disconnectedSince = clock.instant();
            // Another server first: this one has just failed (it comes round again if the others do too).
            target = (target + 1) % servers.size();
            // Periodic and per-connection messages would be stale on the next connection, which re-sends them.
            outbox.removeIf(m -> m instanceof Message.Heartbeat || m instanceof Message.ContextReady);
            lock.notifyAll();
            if (closed) {
                return;
            }
        }
        log.warn(
                "Lost the connection to the server ({}); running jobs continue, their events are queued, "
                        + "reconnecting for up to {}",
                why,
                gracePeriod);
    }

    private void giveUp(String reason) {
        synchronized (lock) {
            if (gaveUp || closed) {
                return;
            }
            gaveUp = true;
        }
        log.error("Giving up on the server: {}", reason);
        firstConnection.completeExceptionally(new IllegalStateException(reason));
        listener.onGiveUp(reason);
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** The servers' addresses, as a server told them; kept as they are when none is told. */
    private void knownServers(List<String> httpUrls) {
        if (httpUrls.isEmpty()) {
            return;
        }
        List<URI> told = new ArrayList<>();
        for (String url : httpUrls) {
            try {
                URI ws = wsUriOf(URI.create(url));
                if (!told.contains(ws)) {
                    told.add(ws);
                }
            } catch (IllegalArgumentException e) {
                log.warn("Ignoring a server address that is no URL: {}", url);
            }
        }
        synchronized (lock) {
            URI current = servers.get(target);
            if (!told.contains(current)) {
                told.add(0, current);
            }
            if (!told.equals(servers)) {
                log.info("Servers to re-attach to: {}", told);
            }
            servers = List.copyOf(told);
            target = servers.indexOf(current);
        }
    }

    private void acknowledged(Message.Acked ack) {
        synchronized (lock) {
            if (unacked.removeIf(ack::acknowledges)) {
                lock.notifyAll();
            }
        }
    }

    /** {@code ws(s)://host:port/driver/ws} of a server's base HTTP URL. */
    static URI wsUriOf(URI httpBase) {
        String scheme = httpBase.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("not an HTTP URL: " + httpBase);
        }
        String base = httpBase.toString().replaceAll("/+$", "");
        return URI.create(("https".equals(scheme) ? "wss" : "ws")
                + base.substring(scheme.length())
                + DriverLaunch.WEBSOCKET_PATH);
    }

    /** The base HTTP URL of a server's driver WebSocket endpoint. */
    static URI httpBaseOf(URI ws) {
        String text = ws.toString();
        String scheme = ws.getScheme();
        String rest = text.substring(scheme.length());
        if (rest.endsWith(DriverLaunch.WEBSOCKET_PATH)) {
            rest = rest.substring(0, rest.length() - DriverLaunch.WEBSOCKET_PATH.length());
        }
        return URI.create(("wss".equals(scheme) ? "https" : "http") + rest);
    }

    // ---- sending

    private void sendLoop() {
        while (true) {
            Session session;
            Message.ToServer message;
            synchronized (lock) {
                while (!closed && (active == null || outbox.isEmpty())) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // Only closing matters here, and close() notifies.
                    }
                }
                if (closed) {
                    return;
                }
                session = active;
                message = outbox.peekFirst();
                if (message instanceof Message.JobEvent event) {
                    // Kept before it goes: the server may acknowledge it before the send returns here.
                    unacked.add(event);
                }
            }
            try {
                session.socket
                        .sendText(Messages.toJson(message), true)
                        .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                synchronized (lock) {
                    if (active == session) {
                        // Not removeFirst: a reconnection may have put the greeting in front meanwhile.
                        outbox.removeFirstOccurrence(message);
                    } else {
                        // Sent on a connection that was replaced meanwhile: it stays queued for the new one.
                        unacked.removeIf(kept -> kept == message);
                    }
                    lock.notifyAll();
                }
            } catch (InterruptedException e) {
                // close() waits for this thread; nothing else interrupts it.
            } catch (Exception e) {
                // The message stays at the head of the queue for the next connection.
                synchronized (lock) {
                    unacked.removeIf(kept -> kept == message);
                }
                lost(session, "sending failed: " + describe(e));
                session.abort();
            }
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getMessage() == null
                ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** One WebSocket connection: its handshake state and its incoming frames. */
    private final class Session implements WebSocket.Listener {
        final CompletableFuture<String> challenge = new CompletableFuture<>();
        final CompletableFuture<Boolean> accepted = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            // Frames may arrive in parts; a message is complete at its last part.
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                handle(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            log.warn("Ignoring a binary frame from the server");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended("the server closed the connection (" + statusCode
                    + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended("connection error: " + describe(error));
        }

        private void handle(String text) {
            Message message;
            try {
                message = Messages.fromJson(text);
            } catch (IllegalArgumentException e) {
                log.warn("Ignoring a frame from the server that is no protocol message: {}", e.getMessage());
                return;
            }
            if (message instanceof Message.Challenge c) {
                challenge.complete(c.nonce());
            } else if (message instanceof Message.Accepted a) {
                knownServers(a.servers());
                accepted.complete(a.contextReady());
            } else if (message instanceof Message.Servers s) {
                knownServers(s.urls());
            } else if (message instanceof Message.Acked ack) {
                acknowledged(ack);
            } else if (message instanceof Message.ToDriver toDriver) {
                if (!accepted.isDone()) {
                    log.warn(
                            "Ignoring {} received before authentication",
                            message.getClass().getSimpleName());
                    return;
                }
                try {
                    listener.onMessage(toDriver);
                } catch (RuntimeException e) {
                    log.error("Handling {} failed", message.getClass().getSimpleName(), e);
                }
            } else {
                log.warn(
                        "Ignoring {}: not a message for drivers",
                        message.getClass().getSimpleName());
            }
        }

        private void ended(String why) {
            ConnectionClosedException e = new ConnectionClosedException(why);
            challenge.completeExceptionally(e);
            accepted.completeExceptionally(e);
            closed.complete(null);
            lost(this, why);
        }

        /** Drops the connection without ceremony (it is broken or unwanted). */
        void abort() {
            WebSocket s = socket;
            if (s != null) {
                s.abort();
            }
            ended("aborted by the driver");
        }

        /** Closes the connection normally, as the driver stops. */
        void close() {
            WebSocket s = socket;
            if (s == null) {
                return;
            }
            try {
                s.sendClose(WebSocket.NORMAL_CLOSURE, "driver stopping").get(5, TimeUnit.SECONDS);
                // Give the server a moment to answer with its own close frame, as the protocol expects.
                closed.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("Closing the server connection failed: {}", describe(e));
            } finally {
                s.abort();
            }
        }
    }

    /** The socket closed before the exchange it was waiting for. */
    private static final class ConnectionClosedException extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectionClosedException(String message) {
            super(message);
        }
    }

    /** The server closed the connection in answer to the driver's authentication. */
    private static final class AuthenticationRejectedException extends Exception {
        private static final long serialVersionUID = 1L;

        AuthenticationRejectedException(String message) {
            super(message);
        }
    }
}
