package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YARN. The driver's environment travels as {@code spark.yarn.appMasterEnv.*}; the driver is known by its
 * application id ({@code application_<time>_<n>}) and killed through the ResourceManager's REST API
 * ({@link ResourceManagerClient}), found from the Hadoop configuration the context's spark-submit uses.
 */
final class YarnClusterManager implements ClusterManager {
    private static final Logger LOG = LoggerFactory.getLogger(YarnClusterManager.class);
    private static final Pattern APPLICATION_ID = Pattern.compile("(application_\\d+_\\d+)");

    private final Map<String, String> environment;
    private final Map<String, String> sparkConf;
    private final String proxyUser;

    /**
     * @param environment the environment of the context's spark-submit ({@code HADOOP_CONF_DIR}, ...)
     * @param sparkConf the context's Spark settings ({@code spark.hadoop.*})
     * @param proxyUser the context's {@code spark.proxy.user}, or blank
     */
    YarnClusterManager(Map<String, String> environment, Map<String, String> sparkConf, String proxyUser) {
        this.environment = Map.copyOf(environment);
        this.sparkConf = Map.copyOf(sparkConf);
        this.proxyUser = requireNonNull(proxyUser, "proxyUser is null");
    }

    /**
     * Spark settings a context on YARN gets unless it sets them itself, for the bundled Spark runtime:
     * <ul>
     *   <li>{@code spark.yarn.jars}: the runtime's jars, which spark-submit uploads to the application's
     *       staging directory (there is no {@code SPARK_HOME/jars} to fall back on); not when the context sets
     *       {@code spark.yarn.jars} or {@code spark.yarn.archive} (jars the cluster already has, or the
     *       launcher's {@link YarnRuntimeArchive}, which YARN ships faster);
     *   <li>client mode: {@code spark.yarn.am.clientModeTreatDisconnectAsFailed}, so that a driver that dies
     *       (or is killed) ends its application FAILED rather than SUCCEEDED;
     *   <li>cluster mode: {@code spark.yarn.submit.waitAppCompletion = false} (spark-submit returns once YARN
     *       accepted the application, instead of staying up for the context's life) and, unless the context is
     *       supervised, {@code spark.yarn.maxAppAttempts = 1} (YARN would otherwise start a failed driver
     *       again).
     * </ul>
     *
     * @param runtimeClasspath the bundled Spark runtime's class path
     */
    static Map<String, String> defaults(
            Map<String, String> sparkConf, String runtimeClasspath, boolean cluster, boolean supervised) {
        Map<String, String> defaults = new LinkedHashMap<>();
        if (!namesSparkJars(sparkConf)) {
            defaults.put(
                    "spark.yarn.jars",
                    Arrays.stream(runtimeClasspath.split(File.pathSeparator))
                            .filter(entry -> entry.endsWith(".jar"))
                            .distinct()
                            .collect(Collectors.joining(",")));
        }
        if (cluster) {
            defaults.put("spark.yarn.submit.waitAppCompletion", "false");
            if (!supervised) {
                defaults.put("spark.yarn.maxAppAttempts", "1");
            }
        } else {
            defaults.put("spark.yarn.am.clientModeTreatDisconnectAsFailed", "true");
        }
        defaults.keySet().removeAll(sparkConf.keySet());
        return defaults;
    }

    /** Whether the Spark settings say where YARN containers get Spark's jars. */
    static boolean namesSparkJars(Map<String, String> sparkConf) {
        return sparkConf.containsKey("spark.yarn.jars") || sparkConf.containsKey("spark.yarn.archive");
    }

    @Override
    public Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv) {
        Map<String, String> settings = new LinkedHashMap<>();
        driverEnv.forEach((k, v) -> settings.put("spark.yarn.appMasterEnv." + k, v));
        return settings;
    }

    @Override
    public Optional<String> driverId(String contextId, String submitOutput) {
        Matcher m = APPLICATION_ID.matcher(submitOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Kills the application through the ResourceManager's REST API and waits until YARN reports it ended. */
    @Override
    public void kill(String driverId) throws IOException {
        ResourceManagerClient rm = ResourceManagerClient.forContext(environment, sparkConf, proxyUser);
        String state = rm.kill(driverId);
        LOG.info("YARN reports application {} {} ({})", driverId, state, rm);
    }
}
