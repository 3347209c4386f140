package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The exact spark-submit command of a context on a {@code k8s://} master, in cluster and in client deploy
 * mode: what reaches the command line, what only the 0600 secrets file carries, and how the driver pod is
 * named and killed.
 */
class KubernetesCommandTest {
    private static final String MASTER = "k8s://https://api.example.com:6443";
    private static final String SERVER = "http://spark-jobserver.spark-jobserver.svc:8090";
    private static final Path WORK = Path.of("/root/contexts/id-1");
    private static final String KEY = "k3y-0f-the-driver";
    private static final Map<String, String> ENV = Map.of(DriverLaunch.SECRET_ENV, KEY);
    /** What a context on Kubernetes sets for its pods: passed to spark-submit as they are. */
    private static final Map<String, String> POD_SETTINGS = Map.of(
            "spark.kubernetes.namespace", "jobs",
            "spark.kubernetes.container.image", "registry.example.com/spark:4.2.0",
            "spark.kubernetes.authenticate.driver.serviceAccountName", "spark-jobserver-driver",
            "spark.kubernetes.driver.podTemplateFile", "/etc/spark-jobserver/pod-templates/driver.yaml",
            "spark.kubernetes.executor.podTemplateFile", "/etc/spark-jobserver/pod-templates/executor.yaml");

    private static final ServerConfig.Driver DRIVER = ServerConfig.from(
                    Configs.load(null, ConfigFactory.parseString("""
                            spark.jobserver.driver {
                              jar = "/opt/spark-jobserver/lib/driver/jobserver-driver.jar"
                              classpath = "/opt/spark-jobserver/lib/driver/*"
                              classpath-file = ""
                              java-home = "/opt/jdk"
                              jvm-options = ["-XX:+UseSerialGC"]
                            }
                            """)))
            .driver();

    private static DriverLauncher.Spec spec(String settings) {
        return new DriverLauncher.Spec("id-1", "ctx", ConfigFactory.parseString(settings), KEY, SERVER, List.of());
    }

    private static String podSettings() {
        StringBuilder hocon = new StringBuilder();
        // unquoted keys: a quoted "spark.x.y" would be one key, not a path
        POD_SETTINGS.forEach((k, v) -> hocon.append(k).append(" = \"").append(v).append("\"\n"));
        return hocon.toString();
    }

    private static DriverCommand command(String deployMode) {
        return new DriverCommand(DRIVER, new DriverCommand.Defaults(MASTER, deployMode, false), 17, false);
    }

    /** The {@code --conf k=v} pairs of a command, in order. */
    private static Map<String, String> confs(List<String> args) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--conf")) {
                String kv = args.get(i + 1);
                int eq = kv.indexOf('=');
                assertThat(conf.put(kv.substring(0, eq), kv.substring(eq + 1)))
                        .as("%s given twice", kv)
                        .isNull();
            }
        }
        return conf;
    }

    /** The command without its {@code --conf} pairs. */
    private static List<String> withoutConfs(List<String> args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--conf")) {
                i++;
            } else {
                rest.add(args.get(i));
            }
        }
        return rest;
    }

    private static List<String> submitterJvm() {
        List<String> jvm = new ArrayList<>(List.of("/opt/jdk/bin/java", "-Xmx256m"));
        jvm.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        jvm.add("-XX:+UseSerialGC");
        jvm.addAll(List.of(
                "-cp",
                "/opt/spark-jobserver/lib/driver/jobserver-driver.jar:/opt/spark-jobserver/lib/driver/*",
                "org.apache.spark.deploy.SparkSubmit"));
        return jvm;
    }

    @Test
    void inClusterModeSparkSubmitCreatesADriverPodNamedAfterTheContextThatFetchesTheDriverJarFromTheServer() {
        DriverCommand.Command cmd = command("cluster")
                .build(
                        spec(podSettings() + "spark.ui.port = 4040\nlauncher.spark.driver.memory = 2g"),
                        WORK,
                        List.of("-XX:SharedArchiveFile=/a.jsa"),
                        ENV);

        List<String> expected = submitterJvm();
        expected.addAll(List.of(
                "--master",
                MASTER,
                "--deploy-mode",
                "cluster",
                "--name",
                "ctx",
                "--properties-file",
                "/root/contexts/id-1/spark-secrets.properties",
                "--class",
                DriverLaunch.MAIN_CLASS,
                // the driver pod fetches the driver jar from the server, then gets the server's URL and its id
                SERVER + "/driver/runtime/jobserver-driver.jar",
                SERVER,
                "id-1"));
        assertThat(withoutConfs(cmd.arguments())).containsExactlyElementsOf(expected);

        Map<String, String> conf = new LinkedHashMap<>(POD_SETTINGS);
        conf.put("spark.ui.port", "4040");
        conf.put("spark.driver.memory", "2g"); // the pod's heap; the submitter itself gets 256m
        // the flags Spark needs on JDK 17+, which nothing else gives a driver the cluster launches
        conf.put("spark.driver.extraJavaOptions", String.join(" ", DriverLaunch.SPARK_JVM_OPTIONS));
        assertThat(confs(cmd.arguments())).containsExactlyInAnyOrderEntriesOf(conf);

        // the key only in the 0600 secrets file, as the pod's environment; never on the command line
        assertThat(cmd.secretConf())
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "spark.kubernetes.driverEnv." + DriverLaunch.SECRET_ENV,
                        KEY,
                        "spark.kubernetes.driver.pod.name",
                        "jobserver-id-1",
                        "spark.kubernetes.submission.waitAppCompletion",
                        "false"));
        assertThat(String.join(" ", cmd.arguments())).doesNotContain(KEY);
        assertThat(cmd.forLog()).noneMatch(a -> a.contains(KEY));
    }

    @Test
    void theDriverPodIsKilledBySparkSubmitInItsNamespace() {
        DriverCommand command = command("cluster");
        ClusterManager k8s =
                ClusterManager.forMaster(MASTER, command, spec(podSettings()).settings());
        assertThat(k8s.driverId("id-1", "")).contains("jobs:jobserver-id-1");

        List<String> expected = submitterJvm();
        expected.addAll(List.of("--master", MASTER, "--kill", "jobs:jobserver-id-1"));
        assertThat(((KubernetesClusterManager) k8s).killCommand("jobs:jobserver-id-1"))
                .containsExactlyElementsOf(expected);
    }

    @Test
    void theKillNamesTheNamespaceSparkSubmitWasGivenWhereverTheContextSetIt() {
        // passthrough reaches spark-submit as spark.kubernetes.namespace: the pod is there, not in "default"
        String passthrough = "passthrough { spark.kubernetes.namespace = team-a }";
        assertThat(confs(command("cluster")
                        .build(spec(passthrough), WORK, List.of(), ENV)
                        .arguments()))
                .containsEntry("spark.kubernetes.namespace", "team-a");
        assertThat(ClusterManager.forMaster(
                                MASTER, command("cluster"), spec(passthrough).settings())
                        .driverId("id-1", ""))
                .contains("team-a:jobserver-id-1");

        // spark.* wins over launcher.spark.* on the command line, so it wins for the kill too
        String both = "launcher.spark.kubernetes.namespace = team-b\nspark.kubernetes.namespace = team-c";
        assertThat(confs(command("cluster")
                        .build(spec(both), WORK, List.of(), ENV)
                        .arguments()))
                .containsEntry("spark.kubernetes.namespace", "team-c");
        assertThat(ClusterManager.forMaster(
                                MASTER, command("cluster"), spec(both).settings())
                        .driverId("id-1", ""))
                .contains("team-c:jobserver-id-1");

        assertThat(ClusterManager.forMaster(MASTER, command("cluster"), spec("").settings())
                        .driverId("id-1", ""))
                .contains("default:jobserver-id-1");
    }

    @Test
    void aContextMaySubmitToAnotherClusterAndWaitForItsDriverPod() {
        DriverCommand.Command cmd = command("client")
                .build(
                        spec("launcher.spark.master = \"k8s://https://other:443\"\nspark.submit.deployMode = cluster\n"
                                + "spark.kubernetes.submission.waitAppCompletion = true"),
                        WORK,
                        List.of(),
                        ENV);
        assertThat(cmd.arguments())
                .containsSubsequence("--master", "k8s://https://other:443", "--deploy-mode", "cluster");
        // the context's own --conf wins over the properties file in spark-submit
        assertThat(confs(cmd.arguments())).containsEntry("spark.kubernetes.submission.waitAppCompletion", "true");
    }

    @Test
    void inClientModeTheDriverRunsHereAndOnlyItsExecutorsArePods() {
        DriverCommand.Command cmd = command("client").build(spec(podSettings()), WORK, List.of(), ENV);

        List<String> expected = new ArrayList<>(List.of("/opt/jdk/bin/java", "-Xmx1g"));
        expected.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        expected.addAll(List.of(
                "-XX:+UseSerialGC",
                "-cp",
                "/opt/spark-jobserver/lib/driver/jobserver-driver.jar:/opt/spark-jobserver/lib/driver/*",
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                MASTER,
                "--deploy-mode",
                "client",
                "--name",
                "ctx",
                "--class",
                DriverLaunch.MAIN_CLASS,
                "/opt/spark-jobserver/lib/driver/jobserver-driver.jar",
                SERVER,
                "id-1"));
        assertThat(withoutConfs(cmd.arguments())).containsExactlyElementsOf(expected);

        // no driver pod: the pod settings are for executors; the driver binds to what SPARK_LOCAL_HOSTNAME
        // says (the server pod's IP, set by the Deployment), not 127.0.0.1 as for a local master
        Map<String, String> conf = new LinkedHashMap<>(POD_SETTINGS);
        conf.put("spark.ui.port", "0");
        assertThat(confs(cmd.arguments())).containsExactlyInAnyOrderEntriesOf(conf);
        // the key travels in the driver process's environment, as for any driver on this host
        assertThat(cmd.secretConf()).isEmpty();
        assertThat(String.join(" ", cmd.arguments())).doesNotContain(KEY);
    }
}
