package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;

/**
 * Creates the table {@code test_addresses} with three addresses, reads it back and returns the row
 * count, {@code 3}. Later jobs of the same context can query the table (for example with
 * {@link SessionTestJob}). Typed session style; reads no configuration.
 *
 * <p>The original made a Hive text table loaded from a file. This one is a Parquet data-source table,
 * so it works whether the context's session has Hive support or, as with the bundled driver runtime,
 * the in-memory catalog; the table's files go to the context's {@code spark-warehouse} directory.
 */
public final class SessionLoaderTestJob implements SparkSessionJob<Config, Long> {

    @Override
    public JobValidation<Config> validate(SparkSession spark, JobEnvironment runtime, Config config) {
        return JobValidation.good(config);
    }

    @Override
    public Long runJob(SparkSession spark, JobEnvironment runtime, Config data) {
        return AddressTable.load(spark);
    }
}
