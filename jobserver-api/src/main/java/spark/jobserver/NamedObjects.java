package spark.jobserver;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The named objects of one context, shared by all its jobs. Objects stay until they are forgotten or
 * destroyed, or the context stops.
 */
public interface NamedObjects {

    /** The object stored under {@code name}, if any (waits for a creation in progress). */
    <O extends NamedObject> Optional<O> get(String name) throws TimeoutException;

    /**
     * The object stored under {@code name}, or the one {@code generator} makes, persisted with
     * {@code persister} and stored. Concurrent callers for the same name create it once; the others
     * wait up to {@code timeout}.
     *
     * @throws TimeoutException when another caller's creation takes longer than {@code timeout}
     */
    <O extends NamedObject> O getOrElseCreate(
            String name, Supplier<O> generator, NamedObjectPersister<O> persister, Duration timeout)
            throws TimeoutException;

    /** As above, with the server's {@code named-object-creation-timeout}. */
    <O extends NamedObject> O getOrElseCreate(String name, Supplier<O> generator, NamedObjectPersister<O> persister)
            throws TimeoutException;

    /** Replaces the object stored under {@code name} (the old one is forgotten, not unpersisted). */
    <O extends NamedObject> O update(String name, Supplier<O> generator, NamedObjectPersister<O> persister)
            throws TimeoutException;

    /** Removes the name; the object itself is left as it is. */
    void forget(String name);

    /** Removes the name and unpersists the object. */
    <O extends NamedObject> void destroy(O namedObject, String name, NamedObjectPersister<O> persister);

    /** The names currently stored. */
    Collection<String> getNames();
}
