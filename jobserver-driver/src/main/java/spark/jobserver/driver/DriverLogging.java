package spark.jobserver.driver;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.Charset;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.DefaultConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.JobLogTags;

/**
 * Makes every line a job writes to the driver's log say which job wrote it ({@link JobLogTags}): where
 * Spark would log with its own defaults, the driver logs with the same layout plus the job's tag (a
 * log4j2 configuration of the user's, from {@code SPARK_HOME/conf} or {@code -Dlog4j2.configurationFile},
 * is left as it is: it may add {@code %X{jobId}} itself); and {@code System.out} and {@code System.err}
 * tag the lines a job's thread prints.
 */
final class DriverLogging {
    private static final Logger log = LoggerFactory.getLogger(DriverLogging.class);
    private static final String SPARK_DEFAULTS = "org/apache/spark/log4j2-defaults.properties";
    private static final String DRIVER_DEFAULTS = "spark/jobserver/driver/log4j2-driver.properties";

    private final JobTaggingStream out;
    private final JobTaggingStream err;
    private volatile LogShipper shipper;

    private DriverLogging(JobTaggingStream out, JobTaggingStream err) {
        this.out = out;
        this.err = err;
    }

    /** Installs the tagging layout and streams, once per JVM, before the driver logs anything of its own. */
    static DriverLogging install() {
        boolean configured = useTaggingLayout();
        // After the layout: the console appender it made writes to the streams as they were, not through these
        Charset charset = Charset.forName(
                System.getProperty("stdout.encoding", Charset.defaultCharset().name()));
        JobTaggingStream out = new JobTaggingStream(System.out);
        JobTaggingStream err = new JobTaggingStream(System.err);
        System.setOut(new PrintStream(out, true, charset));
        System.setErr(new PrintStream(err, true, charset));
        if (configured) {
            log.debug("Logging with Spark's default layout and the job tag");
        } else {
            log.info(
                    "Logging with a log4j2 configuration of your own: add {} to its pattern to tag each job's lines",
                    JobLogTags.LOG4J_PATTERN);
        }
        return new DriverLogging(out, err);
    }

    /**
     * Whether this driver's log is out of the server's reach (its own output is on a cluster node): in
     * cluster deploy mode, in a Kubernetes driver pod, or when the context asks for it.
     */
    static boolean shipsLog(com.typesafe.config.Config contextSettings) {
        return "cluster".equals(System.getProperty("spark.submit.deployMode"))
                || Boolean.parseBoolean(System.getProperty("spark.kubernetes.submitInDriver", "false"))
                || (contextSettings.hasPath(JobLogTags.SHIP_SETTING)
                        && contextSettings.getBoolean(JobLogTags.SHIP_SETTING));
    }

    /** From now on, the log4j2 events and the printed lines of this driver go to {@code shipper} too. */
    void shipTo(LogShipper shipper) {
        this.shipper = shipper;
        shipper.attachToLog4j();
        out.tee(shipper);
        err.tee(shipper);
        log.info("Shipping this driver's log to the server (its buffer keeps at most {} lines)", LogShipper.CAPACITY);
    }

    /** The shipper of this driver's log; null when it does not ship it. */
    LogShipper shipper() {
        return shipper;
    }

    /**
     * Once the Spark context is made: Spark reloads its own defaults then (a SparkContext resets logging
     * that Spark configured), which drops the tag and the shipping appender; both are put back.
     */
    void afterSparkStarted() {
        if (useTaggingLayout()) {
            log.debug("Logging with Spark's default layout and the job tag, again");
        }
        LogShipper s = shipper;
        if (s != null) {
            s.attachToLog4j();
        }
    }

    /** Uses the driver's defaults when log4j2 has none, or Spark's; returns whether it did. */
    private static boolean useTaggingLayout() {
        if (Boolean.parseBoolean(System.getProperty("spark.log.structuredLogging.enabled", "false"))) {
            return false; // Spark's JSON layout carries the MDC (the job id) already
        }
        try {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configuration current = context.getConfiguration();
            String source = String.valueOf(current.getConfigurationSource().getLocation());
            if (!(current instanceof DefaultConfiguration) && !source.endsWith(SPARK_DEFAULTS)) {
                return false;
            }
            URL driverDefaults = DriverLogging.class.getClassLoader().getResource(DRIVER_DEFAULTS);
            if (driverDefaults == null) {
                return false;
            }
            context.setConfigLocation(driverDefaults.toURI());
            return true;
        } catch (ClassCastException | URISyntaxException e) {
            // another log4j2 API implementation than log4j-core: nothing to configure
            return false;
        }
    }
}
