package spark.jobserver;

import static java.util.Objects.requireNonNull;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/**
 * A DataFrame kept by name in a context. Store it with a {@link DataFramePersister}.
 *
 * @param df the DataFrame
 * @param forceComputation whether storing it computes it at once ({@code count()}); requires a storage
 *     level other than {@code NONE}
 * @param storageLevel the level it is persisted at
 */
public record NamedDataFrame(Dataset<Row> df, boolean forceComputation, StorageLevel storageLevel)
        implements NamedObject {
    public NamedDataFrame {
        requireNonNull(df, "df is null");
        requireNonNull(storageLevel, "storageLevel is null");
    }
}
