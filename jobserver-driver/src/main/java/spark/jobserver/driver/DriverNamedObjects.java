package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Function0;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.DurationConverters;
import spark.jobserver.NamedObject;
import spark.jobserver.NamedObjectPersister;
import spark.jobserver.NamedObjects;

/**
 * The named objects of one context. Every name maps to a future: the first caller for a name creates
 * the object in its own thread (so the creation runs in that job's Spark job group and is cancelled
 * with it) while later callers wait on the future. Objects never expire (REST-API §7).
 *
 * <p>Implements the Scala trait jobs see: by-name generators arrive as {@link Function0}, and the
 * trait's default arguments (the timeout) are its own default methods.
 */
final class DriverNamedObjects implements NamedObjects {
    private static final Logger log = LoggerFactory.getLogger(DriverNamedObjects.class);

    private final ConcurrentMap<String, CompletableFuture<NamedObject>> objects = new ConcurrentHashMap<>();
    /** When a job last created or got each name; an entry may outlive its object for a moment (harmless). */
    private final ConcurrentMap<String, Instant> lastUsed = new ConcurrentHashMap<>();

    private final FiniteDuration defaultTimeout;
    private final Clock clock;

    /** @param defaultTimeout the server's {@code named-object-creation-timeout} */
    DriverNamedObjects(Duration defaultTimeout, Clock clock) {
        this.defaultTimeout = DurationConverters.toScala(requireNonNull(defaultTimeout, "defaultTimeout is null"));
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** An object stored under a name, and when a job last created or got it. */
    record Stored(String name, NamedObject object, Instant lastUsed) {}

    /** The objects stored now, sorted by name; names still being created (or whose creation failed) are left out. */
    List<Stored> stored() {
        return objects.entrySet().stream()
                .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                .map(e -> new Stored(e.getKey(), e.getValue().join(), lastUsed.getOrDefault(e.getKey(), Instant.EPOCH)))
                .sorted(java.util.Comparator.comparing(Stored::name))
                .toList();
    }

    private void used(String name) {
        lastUsed.put(name, clock.instant());
    }

    @Override
    public FiniteDuration defaultTimeout() {
        return defaultTimeout;
    }

    @Override
    public <O extends NamedObject> Option<O> get(String name, FiniteDuration timeout) {
        requireNonNull(name, "name is null");
        requireNonNull(timeout, "timeout is null");
        CompletableFuture<NamedObject> entry = objects.get(name);
        if (entry == null) {
            return Option.empty();
        }
        try {
            O found = cast(await(entry, timeout, name));
            used(name);
            return Option.apply(found);
        } catch (CreationFailedException e) {
            return Option.empty();
        }
    }

    @Override
    public <O extends NamedObject> O getOrElseCreate(
            String name, Function0<O> objGen, FiniteDuration timeout, NamedObjectPersister<O> persister) {
        requireNonNull(name, "name is null");
        requireNonNull(objGen, "objGen is null");
        requireNonNull(timeout, "timeout is null");
        requireNonNull(persister, "persister is null");
        CompletableFuture<NamedObject> mine = new CompletableFuture<>();
        CompletableFuture<NamedObject> existing = objects.putIfAbsent(name, mine);
        if (existing != null) {
            // The waiters of a failed creation see its failure (CreationFailedException, with it as cause).
            O found = cast(await(existing, timeout, name));
            used(name);
            return found;
        }
        try {
            O created =
                    requireNonNull(objGen.apply(), () -> "the generator of named object '" + name + "' returned null");
            persister.persist(created, name);
            used(name);
            mine.complete(created);
            log.info("Named object '{}' created", name);
            return created;
        } catch (Throwable t) {
            // Free the name so that a later call can try again.
            objects.remove(name, mine);
            mine.completeExceptionally(t);
            throw t;
        }
    }

    @Override
    public <O extends NamedObject> O update(
            String name, Function0<O> objGen, FiniteDuration timeout, NamedObjectPersister<O> persister) {
        forget(name);
        return getOrElseCreate(name, objGen, timeout, persister);
    }

    @Override
    public void forget(String name) {
        requireNonNull(name, "name is null");
        objects.remove(name);
        lastUsed.remove(name);
    }

    /**
     * Forgets {@code name} and unpersists the object it held, as the original did: {@code objOfType} only
     * names the type, so a name another job updated meanwhile unpersists the object stored now, and an
     * unknown name (or one still being created) unpersists nothing.
     */
    @Override
    public <O extends NamedObject> void destroy(O objOfType, String name, NamedObjectPersister<O> persister) {
        requireNonNull(name, "name is null");
        requireNonNull(persister, "persister is null");
        CompletableFuture<NamedObject> entry = objects.remove(name);
        lastUsed.remove(name);
        if (entry != null && entry.isDone() && !entry.isCompletedExceptionally()) {
            persister.unpersist(cast(entry.join()));
            log.info("Named object '{}' destroyed", name);
        }
    }

    /** The names of the objects stored, sorted; names still being created are not listed yet. */
    @Override
    public scala.collection.Iterable<String> getNames() {
        List<String> names = objects.entrySet().stream()
                .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        return CollectionConverters.asScala(names).toList();
    }

    private static NamedObject await(CompletableFuture<NamedObject> entry, FiniteDuration timeout, String name) {
        try {
            return entry.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // The trait declares no exceptions, as the original's did, yet jobs written for the original catch
            // exactly this TimeoutException: thrown undeclared, as Scala code would throw it.
            throw undeclared(new TimeoutException("Timed out after " + timeout + " waiting for named object '" + name
                    + "' to be created by another job"));
        } catch (ExecutionException e) {
            throw new CreationFailedException(name, e.getCause());
        } catch (CancellationException e) {
            throw new CreationFailedException(name, e);
        } catch (InterruptedException e) {
            // The waiting job was killed; keep the interrupt for the job's code to see.
            Thread.currentThread().interrupt();
            CancellationException cancelled =
                    new CancellationException("interrupted while waiting for named object '" + name + "'");
            cancelled.initCause(e);
            throw cancelled;
        }
    }

    /** Throws {@code t}, checked or not, without declaring it; the return type lets callers write {@code throw}. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException undeclared(Throwable t) throws T {
        throw (T) t;
    }

    @SuppressWarnings("unchecked")
    private static <O extends NamedObject> O cast(NamedObject object) {
        return (O) object;
    }

    /** Another caller's creation of the object failed. */
    static final class CreationFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CreationFailedException(String name, Throwable cause) {
            super("Creating named object '" + name + "' failed: " + cause, cause);
        }
    }
}
