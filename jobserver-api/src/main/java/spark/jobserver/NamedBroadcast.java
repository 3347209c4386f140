package spark.jobserver;

import static java.util.Objects.requireNonNull;

import org.apache.spark.broadcast.Broadcast;

/**
 * A broadcast variable kept by name in a context. Store it with a {@link BroadcastPersister}.
 *
 * @param broadcast the broadcast variable ({@code sc.broadcast(value, classTag)}, or
 *     {@code javaSparkContext.broadcast(value)})
 * @param <T> the type of the broadcast value
 */
public record NamedBroadcast<T>(Broadcast<T> broadcast) implements NamedObject {
    public NamedBroadcast {
        requireNonNull(broadcast, "broadcast is null");
    }
}
