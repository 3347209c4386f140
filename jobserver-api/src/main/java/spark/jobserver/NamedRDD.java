package spark.jobserver;

import static java.util.Objects.requireNonNull;

import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;

/**
 * An RDD kept by name in a context. Store it with an {@link RDDPersister}; from a
 * {@code JavaRDD}, pass {@code javaRdd.rdd()}.
 *
 * @param rdd the RDD
 * @param forceComputation whether storing it computes it at once ({@code count()}), so that later jobs
 *     find it in the cache; requires a storage level other than {@code NONE}
 * @param storageLevel the level it is persisted at, unless it is persisted already
 * @param <T> the type of the RDD's elements
 */
public record NamedRDD<T>(RDD<T> rdd, boolean forceComputation, StorageLevel storageLevel) implements NamedObject {
    public NamedRDD {
        requireNonNull(rdd, "rdd is null");
        requireNonNull(storageLevel, "storageLevel is null");
    }
}
