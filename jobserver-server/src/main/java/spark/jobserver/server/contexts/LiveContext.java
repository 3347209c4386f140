package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.drivers.DriverProcess;
import spark.jobserver.server.drivers.DriverSession;
import spark.jobserver.server.http.ApiException;

/**
 * A context that has not reached a final state, with its driver. Everything that changes it (its
 * driver's messages, the exit of its process, timeouts, stop requests) runs on its own serial event
 * executor, one task at a time and in order, so its state needs no lock and no database write happens
 * under one; other threads only read it. The executor's one thread is named after the context and ends
 * when idle.
 */
final class LiveContext implements ContextHandle, Executor {
    private static final Logger LOG = LoggerFactory.getLogger(LiveContext.class);

    private volatile ContextInfo info;
    private final String verifier;
    private final Config settings;
    private final boolean adhoc;
    private final ThreadPoolExecutor events;
    private volatile String driverConfig;
    /** The id of the driver JVM that reported the context up; null until then, and after a server restart. */
    private volatile String incarnation;

    private volatile DriverProcess process;
    private volatile DriverSession session;
    private volatile Instant lastSeen;
    /** Set when another server took the context over (its driver re-attached there): nothing more is recorded here. */
    private volatile boolean forgotten;

    private final CompletableFuture<ContextInfo> ready = new CompletableFuture<>();
    private final CompletableFuture<ContextInfo> ended = new CompletableFuture<>();

    /**
     * @param verifier what the driver's proof is checked against (the public half of its credentials)
     */
    LiveContext(ContextInfo info, String verifier, Config settings, boolean adhoc, Instant now) {
        this.info = requireNonNull(info, "info is null");
        this.verifier = requireNonNull(verifier, "verifier is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.adhoc = adhoc;
        this.lastSeen = now;
        String label = info.name().length() > 40 ? info.name().substring(0, 40) : info.name();
        this.events = new ThreadPoolExecutor(
                1,
                1,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                NamedThreads.daemon("jobserver-context-" + label));
        this.events.allowCoreThreadTimeOut(true);
    }

    /**
     * Runs {@code task} on the context's event executor, after the tasks queued before it. Once the
     * context's events are closed (it ended, or the server stops) the task is dropped with a debug line.
     */
    @Override
    public void execute(Runnable task) {
        if (!submit(task)) {
            LOG.debug("Context {} takes no more events", info.name());
        }
    }

    /** As {@link #execute}; returns false when the task was dropped because the context's events are closed. */
    boolean submit(Runnable task) {
        try {
            events.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Event handling failed in context {}", info.name(), e);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Takes no more events; those queued still run. */
    void closeEvents() {
        events.shutdown();
    }

    ContextInfo info() {
        return info;
    }

    /** Only {@link ContextLifecycle} sets it, on the event executor. */
    void info(ContextInfo newInfo) {
        this.info = newInfo;
    }

    ContextState state() {
        return info.state();
    }

    String verifier() {
        return verifier;
    }

    Config settings() {
        return settings;
    }

    String incarnation() {
        return incarnation;
    }

    void incarnation(String id) {
        this.incarnation = id;
    }

    /** What the driver is told at its start; null for a context re-adopted after a restart. */
    String driverConfig() {
        return driverConfig;
    }

    void driverConfig(String rendered) {
        this.driverConfig = rendered;
    }

    DriverProcess process() {
        return process;
    }

    void process(DriverProcess newProcess) {
        this.process = newProcess;
    }

    DriverSession session() {
        return session;
    }

    void session(DriverSession newSession) {
        this.session = newSession;
    }

    Instant lastSeen() {
        return lastSeen;
    }

    void seen(Instant when) {
        this.lastSeen = when;
    }

    boolean isForgotten() {
        return forgotten;
    }

    void forgotten() {
        this.forgotten = true;
    }

    CompletableFuture<ContextInfo> ready() {
        return ready;
    }

    @Override
    public String id() {
        return info.id();
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public boolean isAdhoc() {
        return adhoc;
    }

    @Override
    public CompletableFuture<ContextInfo> ended() {
        return ended;
    }

    @Override
    public void send(Message.ToDriver message) {
        DriverSession s = session;
        if (s == null || !s.isOpen()) {
            throw ApiException.error(
                    503, "The driver of context " + info.name() + " is not connected; try again shortly");
        }
        s.send(message);
    }

    /** Kills the driver's process tree; false when there is no live process to kill. */
    boolean kill() {
        DriverProcess p = process;
        if (p == null || !p.isAlive()) {
            return false;
        }
        p.kill();
        return true;
    }
}
