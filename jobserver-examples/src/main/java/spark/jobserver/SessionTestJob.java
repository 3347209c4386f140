package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;

/**
 * Runs the SQL statement {@code sql} on the context's {@link SparkSession} and returns the rows, each as
 * its {@code Row.toString()}: {@code sql = "select 40 + 2 as answer"} gives {@code ["[42]"]}.
 * Typed session style; needs a context made by {@code spark.jobserver.context.SessionContextFactory}.
 * Without {@code sql} it fails validation with {@code No sql param}.
 */
public final class SessionTestJob implements SparkSessionJob<String, List<Row>> {

    @Override
    public JobValidation<String> validate(SparkSession spark, JobEnvironment runtime, Config config) {
        return config.hasPath("sql") ? JobValidation.good(config.getString("sql")) : JobValidation.bad("No sql param");
    }

    @Override
    public List<Row> runJob(SparkSession spark, JobEnvironment runtime, String sql) {
        return spark.sql(sql).collectAsList();
    }
}
