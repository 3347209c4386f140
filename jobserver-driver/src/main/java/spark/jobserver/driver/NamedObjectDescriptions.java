package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.execution.CachedData;
import org.apache.spark.sql.execution.columnar.CachedRDDBuilder;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import spark.jobserver.NamedBroadcast;
import spark.jobserver.NamedDataFrame;
import spark.jobserver.NamedObject;
import spark.jobserver.NamedRDD;
import spark.jobserver.protocol.NamedObjectInfo;

/**
 * Describes a context's named objects for {@code GET /contexts/<name>/objects}: metadata from Spark,
 * never the data. Sizes and cached partitions come from Spark's storage status ({@link
 * SparkContext#getRDDStorageInfo()}), which Spark's listener bus fills asynchronously: right after a job
 * cached something the figures may lag for a moment.
 */
final class NamedObjectDescriptions {
    /** StorageLevel's constants, by which a level is named on the wire. */
    private static final List<String> LEVELS = List.of(
            "NONE",
            "DISK_ONLY",
            "DISK_ONLY_2",
            "DISK_ONLY_3",
            "MEMORY_ONLY",
            "MEMORY_ONLY_2",
            "MEMORY_ONLY_SER",
            "MEMORY_ONLY_SER_2",
            "MEMORY_AND_DISK",
            "MEMORY_AND_DISK_2",
            "MEMORY_AND_DISK_SER",
            "MEMORY_AND_DISK_SER_2",
            "OFF_HEAP");

    private final SparkContext sc;

    NamedObjectDescriptions(SparkContext sc) {
        this.sc = requireNonNull(sc, "sc is null");
    }

    List<NamedObjectInfo> describe(List<DriverNamedObjects.Stored> stored) {
        Map<Integer, RDDInfo> cached = new HashMap<>();
        for (RDDInfo info : sc.getRDDStorageInfo()) {
            cached.put(info.id(), info);
        }
        return stored.stream().map(s -> describe(s, cached)).toList();
    }

    private static NamedObjectInfo describe(DriverNamedObjects.Stored stored, Map<Integer, RDDInfo> cached) {
        String name = stored.name();
        long lastUsed = stored.lastUsed().toEpochMilli();
        NamedObject object = stored.object();
        if (object instanceof NamedRDD<?> named) {
            RDD<?> rdd = named.rdd();
            return rddInfo(name, "RDD", rdd.getStorageLevel(), rdd.id(), rdd.getNumPartitions(), cached, lastUsed);
        }
        if (object instanceof NamedDataFrame named) {
            StorageLevel level = named.df().storageLevel();
            RDD<?> rdd = cachedPlanRdd(named.df());
            if (rdd == null) {
                // persisted but never computed (or not persisted): no cached RDD exists yet
                return new NamedObjectInfo(
                        name,
                        "DataFrame",
                        levelName(level),
                        0L,
                        0L,
                        null,
                        level.useMemory() || level.useDisk() ? 0 : null,
                        null,
                        null,
                        null,
                        lastUsed);
            }
            return rddInfo(name, "DataFrame", level, rdd.id(), rdd.getNumPartitions(), cached, lastUsed);
        }
        if (object instanceof NamedBroadcast<?> named) {
            var broadcast = named.broadcast();
            return new NamedObjectInfo(
                    name,
                    "Broadcast",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    broadcast.id(),
                    !broadcast.isValid(),
                    lastUsed);
        }
        return new NamedObjectInfo(name, "Other", null, null, null, null, null, null, null, null, lastUsed);
    }

    private static NamedObjectInfo rddInfo(
            String name,
            String kind,
            StorageLevel level,
            int rddId,
            int partitions,
            Map<Integer, RDDInfo> cached,
            long lastUsed) {
        RDDInfo info = cached.get(rddId);
        return new NamedObjectInfo(
                name,
                kind,
                levelName(level),
                info == null ? 0L : info.memSize(),
                info == null ? 0L : info.diskSize(),
                partitions,
                info == null ? 0 : info.numCachedPartitions(),
                rddId,
                null,
                null,
                lastUsed);
    }

    /**
     * The RDD that holds a DataFrame's cached blocks: its cached plan's column buffers, once built (looking
     * does not build them). Null when the DataFrame is not cached or its cache was never computed.
     */
    private static RDD<?> cachedPlanRdd(org.apache.spark.sql.Dataset<?> df) {
        if (!(df instanceof org.apache.spark.sql.classic.Dataset<?> classic)) {
            return null;
        }
        Option<CachedData> data =
                classic.sparkSession().sharedState().cacheManager().lookupCachedData(classic);
        if (data.isEmpty()) {
            return null;
        }
        CachedRDDBuilder builder = data.get().cachedRepresentation().cacheBuilder();
        return builder.isCachedColumnBuffersLoaded() ? builder.cachedColumnBuffers() : null;
    }

    /** A storage level's constant name ({@code MEMORY_ONLY}), else Spark's description of it. */
    static String levelName(StorageLevel level) {
        for (String name : LEVELS) {
            if (StorageLevel.fromString(name).equals(level)) {
                return name;
            }
        }
        return level.description();
    }
}
