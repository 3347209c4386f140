package spark.jobserver.driver;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Main class of every context JVM, run through SparkSubmit:
 * {@code SparkSubmit ... --class spark.jobserver.driver.DriverMain <driver jar> <driver config file>},
 * with the context's secret in the environment variable {@link DriverLaunch#SECRET_ENV}.
 *
 * <p>Exit codes: 0 stopped on request, 1 the Spark context could not be created, 2 bad arguments or
 * configuration, 3 the server refused the driver or stayed unreachable beyond the grace period.
 */
public final class DriverMain {
    private static final Logger log = LoggerFactory.getLogger(DriverMain.class);

    private DriverMain() {}

    public static void main(String[] args) {
        // Exit explicitly: Spark and the HTTP client leave threads behind, and the code tells the server
        // (through Process.onExit) how the context ended.
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, Map<String, String> env) {
        if (args.length != 1) {
            log.error("Usage: {} <driver configuration file>", DriverMain.class.getName());
            return Driver.EXIT_USAGE;
        }
        String secret = env.get(DriverLaunch.SECRET_ENV);
        if (secret == null || secret.isBlank()) {
            log.error(
                    "The environment variable {} with the context's secret is not set; the driver cannot "
                            + "authenticate to the server",
                    DriverLaunch.SECRET_ENV);
            return Driver.EXIT_USAGE;
        }
        DriverConfig config;
        try {
            config = DriverConfig.load(Path.of(args[0]));
        } catch (IllegalArgumentException e) {
            log.error("{}", e.getMessage());
            return Driver.EXIT_USAGE;
        }
        return new Driver(config, secret, SparkConf::new, Clock.systemUTC()).run();
    }
}
