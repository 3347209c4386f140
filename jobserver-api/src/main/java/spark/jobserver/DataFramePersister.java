package spark.jobserver;

import org.apache.spark.storage.StorageLevel;

/**
 * Keeps a {@link NamedDataFrame} alive: persists it at its storage level and computes it at once when
 * {@code forceComputation} is set. Destroying it unpersists it without waiting for the executors.
 */
public class DataFramePersister implements NamedObjectPersister<NamedDataFrame> {

    /**
     * @throws IllegalArgumentException when {@code forceComputation} is set with storage level {@code NONE}
     */
    @Override
    public void persist(NamedDataFrame namedObject, String name) {
        StorageLevel level = namedObject.storageLevel();
        if (namedObject.forceComputation() && level.equals(StorageLevel.NONE())) {
            throw new IllegalArgumentException("forceComputation implies storageLevel != NONE");
        }
        namedObject.df().persist(level);
        if (namedObject.forceComputation()) {
            namedObject.df().count();
        }
    }

    @Override
    public void unpersist(NamedDataFrame namedObject) {
        namedObject.df().unpersist(false);
    }
}
