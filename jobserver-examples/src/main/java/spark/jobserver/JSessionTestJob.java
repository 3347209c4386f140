package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;

/**
 * {@link SessionTestJob} in the Java run/verify style: runs {@code sql} and returns the rows as their
 * text. Needs a context made by {@code spark.jobserver.context.JavaSessionContextFactory}; without
 * {@code sql}, {@code verify} throws and the job fails validation.
 */
public final class JSessionTestJob extends JSessionJob<List<Row>> {

    @Override
    public List<Row> run(SparkSession spark, JobEnvironment runtime, Config data) {
        return spark.sql(data.getString("sql")).collectAsList();
    }

    @Override
    public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
        if (!config.hasPath("sql")) {
            throw new IllegalArgumentException("No sql param");
        }
        return config;
    }
}
