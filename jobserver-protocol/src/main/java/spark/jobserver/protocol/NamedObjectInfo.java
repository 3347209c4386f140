package spark.jobserver.protocol;

import static java.util.Objects.requireNonNull;

/**
 * What a driver tells of one named object: metadata only.
 *
 * @param name the object's name
 * @param kind {@code RDD}, {@code DataFrame}, {@code Broadcast} or {@code Other} (a job's own {@code
 *     NamedObject} type)
 * @param storageLevel the storage level's constant name ({@code MEMORY_ONLY}, {@code NONE}, ...), its
 *     description when it is no constant, null for broadcasts and other objects
 * @param memoryBytes bytes of the object's cached blocks in memory; null when unknown (broadcasts)
 * @param diskBytes bytes of the object's cached blocks on disk; null when unknown
 * @param partitions the number of partitions; null when unknown (a DataFrame not cached yet, broadcasts)
 * @param cachedPartitions how many of them are cached; null when unknown
 * @param rddId the Spark RDD id (of a DataFrame: of its cached plan's RDD); null when there is none
 * @param broadcastId the broadcast's id; null for other kinds
 * @param destroyed for broadcasts, whether it was destroyed; null for other kinds
 * @param lastUsed when a job last created or got the object, epoch milliseconds
 */
public record NamedObjectInfo(
        String name,
        String kind,
        String storageLevel,
        Long memoryBytes,
        Long diskBytes,
        Integer partitions,
        Integer cachedPartitions,
        Integer rddId,
        Long broadcastId,
        Boolean destroyed,
        long lastUsed) {

    public NamedObjectInfo {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
    }
}
