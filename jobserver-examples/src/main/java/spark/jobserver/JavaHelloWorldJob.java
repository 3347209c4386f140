package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Returns {@code "Hi!"}: the smallest job in the Java run/verify style. Reads no configuration;
 * {@code verify} accepts any configuration and passes it on unchanged.
 */
public final class JavaHelloWorldJob implements JSparkJob<String> {

    @Override
    public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        return "Hi!";
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }
}
