package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Returns the version of the Spark its context runs on ({@code sc.version()}, e.g. {@code "4.1.1"}): which
 * Spark a context launched from a distribution ({@code spark.home}) really got. Reads no configuration.
 */
public final class SparkVersionJob implements JSparkJob<String> {

    @Override
    public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        return sc.version();
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }
}
