package spark.jobserver.driver;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Main class of every context JVM, run through SparkSubmit:
 * {@code SparkSubmit ... --class spark.jobserver.driver.DriverMain <driver jar> <server URL> <context id>},
 * with the context's secret in the environment variable {@link DriverLaunch#SECRET_ENV}; the driver asks
 * the server for the rest of its configuration ({@link DriverBootstrap}). A single argument names a
 * configuration file instead (tests, and tools that run a driver by hand).
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
        DriverLogging logging = DriverLogging.install();
        int code = run(args, System.getenv(), logging);
        if (code == 0 && isYarnApplicationMaster()) {
            // YARN cluster mode: the application master runs this method in a thread of its own, reports the
            // application SUCCEEDED when it returns and then ends the JVM itself; System.exit, even with 0,
            // would make it report FAILED ("Shutdown hook called before final status was reported")
            return;
        }
        System.exit(code);
    }

    /** Whether this driver runs inside a YARN application master (cluster deploy mode). */
    private static boolean isYarnApplicationMaster() {
        return System.getProperty("spark.master", "").startsWith("yarn")
                && "cluster".equals(System.getProperty("spark.submit.deployMode"));
    }

    static int run(String[] args, Map<String, String> env) {
        return run(args, env, null);
    }

    /** @param logging the driver's log tagging, which ships the log when it must; null for none (tests) */
    static int run(String[] args, Map<String, String> env, DriverLogging logging) {
        if (args.length != 1 && args.length != 2) {
            log.error(
                    "Usage: {} <server URL> <context id>, or {} <driver configuration file>",
                    DriverMain.class.getName(),
                    DriverMain.class.getName());
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
            config = args.length == 1 ? DriverConfig.load(Path.of(args[0])) : fetch(args[0], args[1], secret, env);
        } catch (IllegalArgumentException | IllegalStateException e) {
            log.error("{}", e.getMessage());
            return Driver.EXIT_USAGE;
        }
        try {
            if (logging != null && DriverLogging.shipsLog(config.contextSettings())) {
                logging.shipTo(new LogShipper(LogShipper.CAPACITY));
            }
        } catch (RuntimeException e) {
            log.warn("Cannot ship this driver's log to the server: {}", e.toString());
        }
        return new Driver(config, secret, SparkConf::new, Clock.systemUTC(), logging).run();
    }

    private static DriverConfig fetch(String serverUrl, String contextId, String secret, Map<String, String> env) {
        URI server;
        try {
            server = new URI(serverUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid server URL '" + serverUrl + "': " + e.getMessage(), e);
        }
        HttpClient client = DriverTls.configure(HttpClient.newBuilder(), env)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new DriverBootstrap(client, Clock.systemUTC()).fetch(server, contextId, secret, Duration.ofMinutes(5));
    }
}
