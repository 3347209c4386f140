package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;

/**
 * {@link SessionLoaderTestJob} in the Java run/verify style: creates {@code test_addresses} and returns
 * its row count, {@code 3}. Needs a context made by
 * {@code spark.jobserver.context.JavaSessionContextFactory}.
 */
public final class JSessionTestLoaderJob extends JSessionJob<Long> {

    @Override
    public Long run(SparkSession spark, JobEnvironment runtime, Config data) {
        return AddressTable.load(spark);
    }

    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        return config;
    }
}
