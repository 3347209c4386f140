package spark.jobserver.server.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverRegistry;
import spark.jobserver.server.drivers.DriverSession;

/**
 * Plays a context's driver at the service level: connects to the server's {@link DriverRegistry} as the
 * WebSocket endpoint would, sends the driver's messages and reads what the server sends it.
 */
public final class FakeDriver {
    private final DriverLauncher.Spec spec;
    private final FakeProcess process;
    private final DriverRegistry registry;
    /** This driver JVM's id: a restarted driver has another ({@link #restarted}). */
    private final String incarnation = java.util.UUID.randomUUID().toString();

    private volatile Session session;

    FakeDriver(DriverLauncher.Spec spec, FakeProcess process, DriverRegistry registry) {
        this.spec = requireNonNull(spec, "spec is null");
        this.process = requireNonNull(process, "process is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** A connection of the fake driver: what the server sends lands in a queue. */
    static final class Session implements DriverSession {
        private final String contextId;
        private final BlockingQueue<Message.ToDriver> received = new LinkedBlockingQueue<>();
        private volatile boolean open = true;

        Session(String contextId) {
            this.contextId = contextId;
        }

        @Override
        public String contextId() {
            return contextId;
        }

        @Override
        public void send(Message.ToDriver message) {
            if (!open) {
                throw new IllegalStateException("closed");
            }
            received.add(message);
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }

    /** The same context's driver started again (a supervised driver the cluster restarted): a new JVM. */
    public FakeDriver restarted() {
        return new FakeDriver(spec, process, registry);
    }

    public DriverLauncher.Spec spec() {
        return spec;
    }

    public FakeProcess process() {
        return process;
    }

    /** Connects (a new connection each time); returns what the server answers: whether it knows the context as running. */
    public boolean connect() {
        Session s = new Session(spec.contextId());
        // as the endpoint does: the secret is looked up first (a server that shares its database may adopt here)
        registry.secretFor(spec.contextId());
        session = s;
        return registry.attached(s);
    }

    /** Connects and reports the Spark context up. */
    public FakeDriver ready() {
        connect();
        send(new Message.ContextReady(
                "app-" + spec.contextName() + "-" + incarnation.substring(0, 8), null, incarnation));
        return this;
    }

    public void send(Message.ToServer message) {
        registry.received(session(), message);
    }

    public void heartbeat(String... runningJobs) {
        send(new Message.Heartbeat(System.currentTimeMillis(), List.of(runningJobs)));
    }

    /** The connection drops (the process lives on). */
    public void disconnect() {
        Session s = session();
        s.close();
        registry.detached(s);
    }

    public boolean isConnectionOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    /** Whether the server has sent this driver nothing it has not read yet (acknowledgements aside). */
    public boolean hasNothingQueued() {
        return session().received.stream().allMatch(m -> m instanceof Message.Acked);
    }

    /**
     * The next message the server sent this driver, waiting up to {@code timeout}. Acknowledgements of job
     * events are skipped unless {@code type} asks for them.
     */
    @SuppressWarnings("unchecked")
    public <M extends Message.ToDriver> M next(Class<M> type, Duration timeout) {
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            Message.ToDriver message;
            do {
                message = session().received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } while (message instanceof Message.Acked && type != Message.Acked.class);
            if (message == null) {
                throw new AssertionError("the driver of " + spec.contextName() + " got nothing within " + timeout);
            }
            if (!type.isInstance(message)) {
                throw new AssertionError("expected a " + type.getSimpleName() + ", got " + message);
            }
            return (M) message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private Session session() {
        Session s = session;
        if (s == null) {
            throw new IllegalStateException("the fake driver has not connected");
        }
        return s;
    }
}
