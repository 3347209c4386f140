package spark.jobserver;

import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;

/**
 * Keeps a {@link NamedRDD} alive: names the RDD after its key (so it shows under that name in the Spark
 * UI), persists it at its current storage level if it has one, else at the {@code NamedRDD}'s, and
 * computes it at once when {@code forceComputation} is set. Destroying it unpersists it without
 * waiting for the executors.
 *
 * @param <T> the type of the RDD's elements
 */
public class RDDPersister<T> implements NamedObjectPersister<NamedRDD<T>> {

    /**
     * @throws IllegalArgumentException when {@code forceComputation} is set with storage level {@code NONE}
     */
    @Override
    public void persist(NamedRDD<T> namedObject, String name) {
        StorageLevel level = namedObject.storageLevel();
        if (namedObject.forceComputation() && level.equals(StorageLevel.NONE())) {
            throw new IllegalArgumentException("forceComputation implies storageLevel != NONE");
        }
        RDD<T> rdd = namedObject.rdd();
        rdd.setName(name);
        StorageLevel current = rdd.getStorageLevel();
        rdd.persist(current.equals(StorageLevel.NONE()) ? level : current);
        if (namedObject.forceComputation()) {
            rdd.count();
        }
    }

    @Override
    public void unpersist(NamedRDD<T> namedObject) {
        namedObject.rdd().unpersist(false);
    }
}
