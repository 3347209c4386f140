package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriverLauncherTest {

    @Test
    void contextSettingsMapToSparkConfAsTheReferenceSays() {
        Map<String, String> conf = DriverLauncher.sparkConf(ConfigFactory.parseString("""
                num-cpu-cores = 2
                memory-per-node = 1g
                passthrough { spark.driver.allowMultipleContexts = true, some.other = x }
                spark.executor.memory = 2g
                spark.sql.shuffle.partitions = 4
                launcher.spark.driver.memory = 3g
                launcher.spark.executor.cores = 1
                """), "local[2]");
        assertThat(conf)
                .containsEntry("spark.cores.max", "2")
                .containsEntry("spark.executor.memory", "2g") // spark.* wins over memory-per-node
                .containsEntry("spark.sql.shuffle.partitions", "4")
                .containsEntry("spark.driver.allowMultipleContexts", "true")
                .containsEntry("some.other", "x")
                .containsEntry("spark.executor.cores", "1")
                .containsEntry("spark.driver.host", "127.0.0.1")
                .containsEntry("spark.driver.bindAddress", "127.0.0.1")
                .containsEntry("spark.ui.port", "0")
                .doesNotContainKey("spark.driver.memory");
    }

    @Test
    void clusterMastersGetNoLoopbackBinding() {
        Map<String, String> conf = DriverLauncher.sparkConf(ConfigFactory.empty(), "spark://host:7077");
        assertThat(conf).doesNotContainKey("spark.driver.host").doesNotContainKey("spark.driver.bindAddress");
    }

    @Test
    void sparkMemoryBecomesJavaMemory() {
        assertThat(DriverLauncher.javaMemory("1g")).isEqualTo("1g");
        assertThat(DriverLauncher.javaMemory("512m")).isEqualTo("512m");
        assertThat(DriverLauncher.javaMemory("2GB")).isEqualTo("2g");
        assertThatThrownBy(() -> DriverLauncher.javaMemory("lots")).hasMessageContaining("lots");
    }

    @Test
    void javaVersionOfTheRunningJdk() {
        assertThat(DriverLauncher.javaFeatureVersion(System.getProperty("java.home")))
                .isEqualTo(Runtime.version().feature());
    }

    @Test
    void secretSparkSettingsStayOffTheCommandLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) {
        var config = spark.jobserver.server.config.ServerConfig.from(spark.jobserver.server.config.Configs.load(
                null,
                ConfigFactory.parseMap(Map.of(
                        "spark.jobserver.rootdir",
                        root.toString(),
                        "spark.jobserver.driver.jar",
                        "/x/driver.jar",
                        "spark.jobserver.driver.classpath",
                        "/x/spark.jar",
                        "spark.jobserver.driver.class-data-sharing",
                        false))));
        var spec = new DriverLauncher.Spec("id", "ctx", ConfigFactory.parseString("""
                spark.hadoop.fs.s3a.secret.key = s3cr3t
                spark.executor.cores = 1
                """), "secret", "http://127.0.0.1:1");
        Map<String, String> secrets = new java.util.TreeMap<>();
        var command = new DriverLauncher(config).command(spec, root.resolve("driver.conf"), secrets);
        assertThat(String.join(" ", command)).doesNotContain("s3cr3t").contains("spark.executor.cores=1");
        assertThat(secrets).containsEntry("spark.hadoop.fs.s3a.secret.key", "s3cr3t");
    }
}
