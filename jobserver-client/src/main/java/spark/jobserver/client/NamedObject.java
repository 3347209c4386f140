package spark.jobserver.client;

/**
 * A named object of a running context ({@code GET /contexts/<name>/objects}); fields that do not apply to its
 * kind are null.
 *
 * @param kind RDD, DataFrame, Broadcast or Other
 */
public record NamedObject(
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
        String lastUsed) {}
