package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes. The driver's environment travels as {@code spark.kubernetes.driverEnv.*}; the driver pod is
 * named after the context ({@code jobserver-<context id>}), so the server knows it without reading
 * spark-submit's output; it is killed with spark-submit's {@code --kill <namespace>:<pod>}, which deletes
 * the pod (Kubernetes then deletes what the pod owns: its executors, service and config map).
 *
 * <p>spark-submit returns once the driver pod is created ({@code spark.kubernetes.submission.waitAppCompletion
 * = false}) instead of following it for the context's whole life: one JVM less per context next to the
 * server, and the server follows the driver through its connection anyway. A context may set it back.
 */
final class KubernetesClusterManager implements ClusterManager {
    private static final String DEFAULT_NAMESPACE = "default"; // Spark's default for spark.kubernetes.namespace

    private final String master;
    private final DriverCommand command;
    private final String namespace;

    KubernetesClusterManager(String master, DriverCommand command, String namespace) {
        this.master = requireNonNull(master, "master is null");
        this.command = requireNonNull(command, "command is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
    }

    /**
     * The namespace drivers run in: {@code spark.kubernetes.namespace} as spark-submit gets it (from the
     * context's {@code spark.*}, {@code launcher.spark.*} or {@code passthrough}, in that precedence), else
     * Spark's default.
     */
    static String namespace(Config settings) {
        // the master only decides the settings of a driver on this host, none of which is the namespace
        return SparkSettings.sparkConf(settings, "k8s://")
                .getOrDefault("spark.kubernetes.namespace", DEFAULT_NAMESPACE);
    }

    static String podName(String contextId) {
        return "jobserver-" + contextId;
    }

    @Override
    public Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spark.kubernetes.driver.pod.name", podName(contextId));
        settings.put("spark.kubernetes.submission.waitAppCompletion", "false");
        driverEnv.forEach((k, v) -> settings.put("spark.kubernetes.driverEnv." + k, v));
        return settings;
    }

    @Override
    public Optional<String> driverId(String contextId, String submitOutput) {
        return Optional.of(namespace + ":" + podName(contextId)); // named by the server, not read back
    }

    @Override
    public void kill(String driverId) throws IOException {
        StandaloneClusterManager.run(killCommand(driverId));
    }

    /** {@code spark-submit --master <master> --kill <namespace>:<pod>}: deletes the driver pod. */
    List<String> killCommand(String driverId) {
        List<String> cmd = new ArrayList<>(command.sparkJvm());
        cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", master, "--kill", driverId));
        return cmd;
    }
}
