package spark.jobserver;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;

/**
 * The named objects of a context seen as named RDDs, with the original project's defaults: an RDD is
 * computed when it is stored ({@code forceComputation = true}) and kept at
 * {@link StorageLevel#MEMORY_ONLY()}. Each RDD is stored as a {@link NamedRDD} with an
 * {@link RDDPersister}, so jobs using {@link NamedObjects} directly see the same objects.
 *
 * <p>From a {@code JavaRDD}, give {@code javaRdd.rdd()}; back with {@code rdd.toJavaRDD()}.
 */
public final class NamedRdds {
    private final NamedObjects namedObjects;

    public NamedRdds(NamedObjects namedObjects) {
        this.namedObjects = requireNonNull(namedObjects, "namedObjects is null");
    }

    /** The storage level used when none is given. */
    public static StorageLevel defaultStorageLevel() {
        return StorageLevel.MEMORY_ONLY();
    }

    /**
     * The RDD stored under {@code name}, or the one {@code generator} makes, computed and cached at
     * {@link #defaultStorageLevel()}. Concurrent callers for the same name create it once; the others
     * wait up to the server's {@code named-object-creation-timeout}.
     *
     * @throws TimeoutException when another job's creation of the RDD takes longer than the timeout
     */
    public <T> RDD<T> getOrElseCreate(String name, Supplier<RDD<T>> generator) throws TimeoutException {
        return rdd(namedObjects.getOrElseCreate(
                name, named(generator, true, defaultStorageLevel()), new RDDPersister<T>()));
    }

    /** As {@link #getOrElseCreate(String, Supplier)}, with its own computation and storage level. */
    public <T> RDD<T> getOrElseCreate(
            String name, Supplier<RDD<T>> generator, boolean forceComputation, StorageLevel storageLevel)
            throws TimeoutException {
        return rdd(namedObjects.getOrElseCreate(
                name, named(generator, forceComputation, storageLevel), new RDDPersister<T>()));
    }

    /** As {@link #getOrElseCreate(String, Supplier)}, waiting at most {@code timeout} for another job's creation. */
    public <T> RDD<T> getOrElseCreate(
            String name,
            Supplier<RDD<T>> generator,
            boolean forceComputation,
            StorageLevel storageLevel,
            Duration timeout)
            throws TimeoutException {
        return rdd(namedObjects.getOrElseCreate(
                name, named(generator, forceComputation, storageLevel), new RDDPersister<T>(), timeout));
    }

    /**
     * The RDD stored under {@code name}; empty when there is none, or when the name holds something else
     * than an RDD.
     */
    public <T> Optional<RDD<T>> get(String name) throws TimeoutException {
        Optional<NamedObject> found = namedObjects.get(name);
        if (found.isPresent() && found.get() instanceof NamedRDD<?> named) {
            @SuppressWarnings("unchecked")
            RDD<T> rdd = (RDD<T>) named.rdd();
            return Optional.of(rdd);
        }
        return Optional.empty();
    }

    /** Stores the RDD {@code generator} makes under {@code name}, replacing (not unpersisting) the old one. */
    public <T> RDD<T> update(String name, Supplier<RDD<T>> generator) throws TimeoutException {
        return update(name, generator, true, defaultStorageLevel());
    }

    /** As {@link #update(String, Supplier)}, with its own computation and storage level. */
    public <T> RDD<T> update(
            String name, Supplier<RDD<T>> generator, boolean forceComputation, StorageLevel storageLevel)
            throws TimeoutException {
        return rdd(namedObjects.update(name, named(generator, forceComputation, storageLevel), new RDDPersister<T>()));
    }

    /** Removes the RDD stored under {@code name} and unpersists it; does nothing when there is none. */
    public void destroy(String name) throws TimeoutException {
        Optional<NamedObject> found = namedObjects.get(name);
        if (found.isPresent() && found.get() instanceof NamedRDD<?> named) {
            named.rdd().unpersist(false);
        }
        namedObjects.forget(name);
    }

    /** The names stored in the context (of RDDs and of any other named objects). */
    public Collection<String> getNames() {
        return namedObjects.getNames();
    }

    private static <T> Supplier<NamedRDD<T>> named(
            Supplier<RDD<T>> generator, boolean forceComputation, StorageLevel level) {
        requireNonNull(generator, "generator is null");
        requireNonNull(level, "storageLevel is null");
        return () -> new NamedRDD<>(generator.get(), forceComputation, level);
    }

    private static <T> RDD<T> rdd(NamedRDD<T> named) {
        return named.rdd();
    }
}
