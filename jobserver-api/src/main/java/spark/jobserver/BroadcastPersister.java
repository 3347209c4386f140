package spark.jobserver;

/**
 * Keeps a {@link NamedBroadcast}: a broadcast variable needs nothing to stay alive, so storing it does
 * nothing; destroying it removes its copies from the executors without waiting for them.
 *
 * @param <T> the type of the broadcast value
 */
public class BroadcastPersister<T> implements NamedObjectPersister<NamedBroadcast<T>> {

    @Override
    public void persist(NamedBroadcast<T> namedObject, String name) {
        // Broadcast variables live until unpersisted or destroyed; nothing to do.
    }

    @Override
    public void unpersist(NamedBroadcast<T> namedObject) {
        namedObject.broadcast().unpersist(false);
    }
}
