package spark.jobserver;

import com.typesafe.config.Config;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Writes to the driver's log, for the log routes: {@code lines} times (default 1), {@code interval.ms} apart
 * (default 0), it logs {@code logged <marker> <n>} through slf4j and prints {@code printed <marker> <n>} on
 * {@code System.out}; then it logs a warning with a stack trace ({@code failed <marker>}), counts a small RDD
 * and returns the marker.
 */
public final class JavaLoggingJob implements JSparkJob<String> {
    private static final Logger LOG = LoggerFactory.getLogger(JavaLoggingJob.class);

    @Override
    public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) throws InterruptedException {
        String marker = data.getString("marker");
        int lines = data.hasPath("lines") ? data.getInt("lines") : 1;
        long interval = data.hasPath("interval.ms") ? data.getLong("interval.ms") : 0;
        for (int n = 1; n <= lines; n++) {
            LOG.info("logged {} {}", marker, n);
            System.out.println("printed " + marker + " " + n);
            if (n < lines && interval > 0) {
                Thread.sleep(interval);
            }
        }
        LOG.warn("failed " + marker, new IllegalStateException("deliberate " + marker));
        sc.parallelize(Arrays.asList(1, 2, 3)).count();
        return marker;
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        return config;
    }
}
