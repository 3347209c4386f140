package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * A Java run/verify job whose {@code verify} always throws {@code RuntimeException("fail")}, so the
 * server answers {@code 400 VALIDATION FAILED} and {@code run} never runs. Reads no configuration.
 */
public final class FailingJavaJob implements JSparkJob<String> {

    @Override
    public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        throw new IllegalStateException("run must not be called when verify fails");
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        throw new RuntimeException("fail");
    }
}
