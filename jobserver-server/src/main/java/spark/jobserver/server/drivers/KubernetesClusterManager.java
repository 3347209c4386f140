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
 * spark-submit's output; it is killed with spark-submit's {@code --kill <namespace>:<pod>}.
 */
final class KubernetesClusterManager implements ClusterManager {
    private final String master;
    private final DriverCommand command;
    private final String namespace;

    KubernetesClusterManager(String master, DriverCommand command, String namespace) {
        this.master = requireNonNull(master, "master is null");
        this.command = requireNonNull(command, "command is null");
        this.namespace = requireNonNull(namespace, "namespace is null");
    }

    /** The namespace drivers run in: the context's {@code spark.kubernetes.namespace}, else Spark's default. */
    static String namespace(Config settings) {
        for (String key : List.of("launcher.spark.kubernetes.namespace", "spark.kubernetes.namespace")) {
            if (settings.hasPath(key)) {
                return settings.getString(key);
            }
        }
        return "default";
    }

    static String podName(String contextId) {
        return "jobserver-" + contextId;
    }

    @Override
    public Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("spark.kubernetes.driver.pod.name", podName(contextId));
        driverEnv.forEach((k, v) -> settings.put("spark.kubernetes.driverEnv." + k, v));
        return settings;
    }

    @Override
    public Optional<String> driverId(String contextId, String submitOutput) {
        return Optional.of(namespace + ":" + podName(contextId)); // named by the server, not read back
    }

    @Override
    public void kill(String driverId) throws IOException {
        List<String> cmd = new ArrayList<>(command.sparkJvm());
        cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", master, "--kill", driverId));
        StandaloneClusterManager.run(cmd);
    }
}
