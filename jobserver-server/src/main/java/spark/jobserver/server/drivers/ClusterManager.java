package spark.jobserver.server.drivers;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * What differs between cluster managers when a driver runs on one of their nodes (cluster deploy mode):
 * how the driver's environment travels with the submission, how the cluster names the driver, and how
 * the server kills it. One implementation per master kind; {@link #forMaster} picks it.
 */
interface ClusterManager {

    /**
     * The manager of {@code master} ({@code spark://}, {@code yarn}, {@code k8s://}).
     *
     * @param settings the context's settings (a Kubernetes namespace, YARN's {@code spark.hadoop.*})
     */
    static ClusterManager forMaster(String master, DriverCommand command, Config settings) {
        if (master.startsWith("spark://")) {
            return new StandaloneClusterManager(master, command);
        }
        if (master.startsWith("yarn")) {
            return new YarnClusterManager(
                    command.environment(),
                    SparkSettings.sparkConf(settings, master),
                    settings.hasPath("spark.proxy.user") ? settings.getString("spark.proxy.user") : "");
        }
        if (master.startsWith("k8s://")) {
            return new KubernetesClusterManager(master, command, KubernetesClusterManager.namespace(settings));
        }
        throw new IllegalArgumentException("No cluster deploy mode for master " + master);
    }

    /**
     * Spark settings that carry the driver's environment ({@code driverEnv}: its key, TLS material) to a
     * driver on a cluster node; they go to the 0600 secrets file, never the command line. Empty where the
     * manager forwards the submitter's {@code SPARK_*} variables itself (standalone).
     *
     * @param contextId the context, for names the manager needs (a Kubernetes pod name)
     */
    Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv);

    /** The cluster's id for the driver of {@code contextId}, from what spark-submit printed while it submitted it. */
    Optional<String> driverId(String contextId, String submitOutput);

    /**
     * Kills the driver the cluster knows as {@code driverId} (and its application).
     *
     * @throws IOException when the cluster manager could not be asked
     */
    void kill(String driverId) throws IOException;
}
