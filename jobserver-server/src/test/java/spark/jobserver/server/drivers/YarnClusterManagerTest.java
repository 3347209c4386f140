package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.ServerConfig;

class YarnClusterManagerTest {
    private static final ServerConfig.Driver DRIVER = TestDrivers.settings(
            "/x/driver.jar",
            "/x/spark-core.jar:/x/spark-yarn.jar:/x/classes:/x/spark-core.jar",
            "/opt/jdk",
            List.of(),
            false);
    private static final Map<String, String> ENV = Map.of("SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");

    private static List<String> command(String settings, Map<String, String> environment) {
        return new DriverCommand(DRIVER, new DriverCommand.Defaults("yarn", "client", false), 17, false, environment)
                .build(
                        new DriverLauncher.Spec(
                                "id-1",
                                "ctx",
                                ConfigFactory.parseString(settings),
                                "secret",
                                "http://127.0.0.1:1",
                                List.of()),
                        Path.of("/root/contexts/id-1"),
                        List.of(),
                        ENV)
                .arguments();
    }

    @Test
    void yarnContainersGetTheBundledRuntimesJarsUnlessTheContextNamesItsOwn() {
        assertThat(command("", Map.of()))
                .containsSubsequence(
                        "--conf",
                        "spark.yarn.jars=/x/spark-core.jar,/x/spark-yarn.jar",
                        "--conf",
                        "spark.yarn.am.clientModeTreatDisconnectAsFailed=true");
        assertThat(String.join(" ", command("spark.yarn.archive = \"hdfs:///spark/jars.zip\"", Map.of())))
                .contains("spark.yarn.archive=hdfs:///spark/jars.zip")
                .doesNotContain("spark.yarn.jars");
        assertThat(command("spark.yarn.jars = \"local:/opt/spark/jars/*\"", Map.of()))
                .contains("spark.yarn.jars=local:/opt/spark/jars/*")
                .doesNotContain("spark.yarn.jars=/x/spark-core.jar,/x/spark-yarn.jar");
    }

    @Test
    void clusterModeSubmitsWithoutWaitingAndOneAttemptUnlessSupervised() {
        assertThat(YarnClusterManager.defaults(Map.of(), "/x/a.jar", true, false))
                .containsEntry("spark.yarn.submit.waitAppCompletion", "false")
                .containsEntry("spark.yarn.maxAppAttempts", "1")
                .doesNotContainKey("spark.yarn.am.clientModeTreatDisconnectAsFailed");
        assertThat(YarnClusterManager.defaults(Map.of(), "/x/a.jar", true, true))
                .doesNotContainKey("spark.yarn.maxAppAttempts");
        // what the context sets itself wins
        assertThat(YarnClusterManager.defaults(
                        Map.of("spark.yarn.maxAppAttempts", "3", "spark.yarn.submit.waitAppCompletion", "true"),
                        "/x/a.jar",
                        true,
                        false))
                .containsOnlyKeys("spark.yarn.jars");
    }

    @Test
    void hadoopAndYarnConfDirsGoOnSparkSubmitsClassPathAsSparksScriptsPutThem() {
        List<String> args = command("", Map.of("HADOOP_CONF_DIR", "/etc/hadoop/conf", "YARN_CONF_DIR", "/etc/yarn"));
        assertThat(args.get(args.indexOf("-cp") + 1))
                .isEqualTo("/x/driver.jar:" + DRIVER.classpath() + ":/etc/hadoop/conf:/etc/yarn");
        List<String> without = command("", Map.of());
        assertThat(without.get(without.indexOf("-cp") + 1)).isEqualTo("/x/driver.jar:" + DRIVER.classpath());
    }

    @Test
    void otherMastersGetNoYarnSettings() {
        List<String> args = new DriverCommand(
                        DRIVER, new DriverCommand.Defaults("spark://m:7077", "client", false), 17, false, Map.of())
                .build(
                        new DriverLauncher.Spec(
                                "id-1", "ctx", ConfigFactory.empty(), "secret", "http://127.0.0.1:1", List.of()),
                        Path.of("/root/contexts/id-1"),
                        List.of(),
                        ENV)
                .arguments();
        assertThat(String.join(" ", args)).doesNotContain("spark.yarn.");
    }

    @Test
    void theApplicationIdIsReadFromSparkSubmitsOutput() {
        ClusterManager yarn = new YarnClusterManager(Map.of(), Map.of(), "");
        assertThat(yarn.driverId(
                        "id",
                        "26/11/30 05:08:40 INFO Client: Submitting application application_1796015213257_0003 to"
                                + " ResourceManager\n"))
                .contains("application_1796015213257_0003");
        assertThat(yarn.driverId("id", "nothing submitted")).isEmpty();
    }
}
