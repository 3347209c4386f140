package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterManagerTest {
    private static final DriverCommand COMMAND = new DriverCommand(
            TestDrivers.settings("/x/driver.jar", "/x/spark-core.jar", "/opt/jdk", List.of(), false),
            new DriverCommand.Defaults("spark://m:7077", "cluster", false),
            17,
            false);
    private static final Map<String, String> ENV = Map.of("SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");

    @Test
    void aStandaloneMasterNamesItsDriverInSparkSubmitsOutput() {
        ClusterManager standalone = ClusterManager.forMaster("spark://m:7077", COMMAND, ConfigFactory.empty());
        assertThat(standalone.submissionSettings("id", ENV)).isEmpty();
        assertThat(
                        standalone.driverId(
                                "id",
                                "26/11/30 04:48:57 INFO ClientEndpoint: Driver successfully submitted as driver-20261130044857-0001\n"
                                        + "26/11/30 04:49:02 INFO ClientEndpoint: State of driver-20261130044857-0001 is RUNNING"))
                .contains("driver-20261130044857-0001");
        assertThat(standalone.driverId("id", "nothing submitted")).isEmpty();
    }

    @Test
    void yarnTakesTheEnvironmentAsApplicationMasterSettings() {
        ClusterManager yarn = ClusterManager.forMaster("yarn", COMMAND, ConfigFactory.empty());
        assertThat(yarn.submissionSettings("id", ENV))
                .containsExactly(Map.entry("spark.yarn.appMasterEnv.SPARK_JOBSERVER_CONTEXT_SECRET", "k3y"));
        assertThat(yarn.driverId("id", "INFO Client: Submitted application application_1796011234567_0003"))
                .contains("application_1796011234567_0003");
    }

    @Test
    void onKubernetesTheServerNamesTheDriverPodAfterTheContext() {
        ClusterManager k8s = ClusterManager.forMaster(
                "k8s://https://api:6443", COMMAND, ConfigFactory.parseString("spark.kubernetes.namespace = jobs"));
        assertThat(k8s.submissionSettings("id-1", ENV))
                .containsEntry("spark.kubernetes.driver.pod.name", "jobserver-id-1")
                .containsEntry("spark.kubernetes.driverEnv.SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");
        assertThat(k8s.driverId("id-1", "")).contains("jobs:jobserver-id-1");
        assertThat(ClusterManager.forMaster("k8s://https://api:6443", COMMAND, ConfigFactory.empty())
                        .driverId("id-1", ""))
                .contains("default:jobserver-id-1");
    }

    @Test
    void localMastersHaveNoClusterDeployMode() {
        assertThatThrownBy(() -> ClusterManager.forMaster("local[2]", COMMAND, ConfigFactory.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
