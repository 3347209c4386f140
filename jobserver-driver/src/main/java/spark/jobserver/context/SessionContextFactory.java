package spark.jobserver.context;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.SparkSessionJob;

/**
 * Makes a {@link SparkSession} and runs {@link SparkSessionJob}s in it.
 *
 * <p>Hive: with {@code spark.session.hive.enabled} (default {@code true}) the session gets Hive support
 * when the Hive classes are on the driver's class path; when they are not, the context starts with a
 * plain session (in-memory catalog) and a warning in the driver log, as in the original. Hive is
 * <em>required</em> only when the context's settings say {@code spark.sql.catalogImplementation = hive}
 * (Spark's own key for the catalog); then missing Hive classes fail the context with a clear message.
 *
 * <p>The context setting {@code hadoop { k = v }} goes into the session's Hadoop configuration. Stopping
 * the context stops the session's active structured-streaming queries first, then the session.
 */
public class SessionContextFactory implements SparkContextFactory {
    private static final Logger log = LoggerFactory.getLogger(SessionContextFactory.class);

    static final String HIVE_ENABLED = "spark.session.hive.enabled";
    static final String CATALOG_IMPLEMENTATION = "spark.sql.catalogImplementation";
    /** The classes Spark itself checks before it enables Hive support. */
    private static final String[] HIVE_CLASSES = {
        "org.apache.spark.sql.hive.HiveSessionStateBuilder", "org.apache.hadoop.hive.conf.HiveConf"
    };

    /** How the session is built, decided from the settings and the class path. */
    enum Hive {
        /** Hive support on. */
        ENABLED,
        /** Hive wanted by default but absent: plain session and a warning. */
        FALLBACK,
        /** Hive not wanted. */
        OFF
    }

    @Override
    public ContextLike makeContext(SparkConf sparkConf, Config contextConfig, String contextName) {
        SparkSession.Builder builder = SparkSession.builder().config(sparkConf);
        switch (hive(contextConfig, sparkConf, hiveClassesPresent())) {
            case ENABLED -> builder.enableHiveSupport();
            case FALLBACK ->
                log.warn(
                        "Hive support not enabled for context '{}': the Hive classes are not on the driver's"
                                + " class path; using a plain SparkSession with an in-memory catalog",
                        contextName);
            case OFF -> log.info("Context '{}' runs without Hive support ({} = false)", contextName, HIVE_ENABLED);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            DefaultSparkContextFactory.copyHadoopSettings(
                    contextConfig, spark.sparkContext().hadoopConfiguration());
        } catch (RuntimeException e) {
            spark.stop();
            throw e;
        }
        return new RunningContext(spark, spark.sparkContext(), () -> stop(spark), this::isValidJob);
    }

    /** Whether contexts of this factory can run {@code job}. */
    protected boolean isValidJob(Object job) {
        return job instanceof SparkSessionJob<?, ?>;
    }

    /**
     * How to build the session.
     *
     * @throws IllegalStateException when the settings require Hive ({@code spark.sql.catalogImplementation = hive})
     *     and its classes are absent
     */
    static Hive hive(Config contextConfig, SparkConf sparkConf, boolean classesPresent) {
        boolean required = "hive".equalsIgnoreCase(setting(contextConfig, sparkConf, CATALOG_IMPLEMENTATION, ""));
        if (required && !classesPresent) {
            throw new IllegalStateException("Hive support was requested (" + CATALOG_IMPLEMENTATION + " = hive) but the"
                    + " Hive classes are not on the driver's class path: add spark-hive and its dependencies to the"
                    + " driver, or remove " + CATALOG_IMPLEMENTATION + " from the context's settings");
        }
        boolean wanted = Boolean.parseBoolean(setting(contextConfig, sparkConf, HIVE_ENABLED, "true"));
        if (!wanted && !required) {
            return Hive.OFF;
        }
        return classesPresent ? Hive.ENABLED : Hive.FALLBACK;
    }

    /** A setting from the context's settings, else from the Spark configuration (where SparkSubmit puts spark.*). */
    private static String setting(Config contextConfig, SparkConf sparkConf, String key, String whenAbsent) {
        // The keys contain dots: as HOCON paths they are nested objects, which hasPath reads alike.
        if (contextConfig.hasPath(key)) {
            return String.valueOf(contextConfig.getValue(key).unwrapped());
        }
        return sparkConf.get(key, whenAbsent);
    }

    static boolean hiveClassesPresent() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (String name : HIVE_CLASSES) {
            try {
                Class.forName(name, false, loader != null ? loader : SessionContextFactory.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
        return true;
    }

    /** Stops the session's active structured-streaming queries, then the session. */
    private static void stop(SparkSession spark) {
        for (StreamingQuery query : spark.streams().active()) {
            try {
                query.stop();
            } catch (Exception e) {
                log.warn("Stopping streaming query {} failed", query.id(), e);
            }
        }
        spark.stop();
    }
}
