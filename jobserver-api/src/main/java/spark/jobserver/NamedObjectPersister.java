package spark.jobserver;

/**
 * Knows how to keep a kind of {@link NamedObject} alive in the context (persist, optionally compute)
 * and how to release it.
 *
 * @param <O> the kind of named object
 */
public interface NamedObjectPersister<O extends NamedObject> {

    /** Called once when the object is stored under {@code name}. */
    void persist(O namedObject, String name);

    /** Called when the object is destroyed; must not block on the cluster. */
    void unpersist(O namedObject);
}
