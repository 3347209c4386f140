package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.server.http.ApiException;

class SparkSettingsTest {

    @Test
    void contextSettingsMapToSparkConfAsTheReferenceSays() {
        Map<String, String> conf = SparkSettings.sparkConf(ConfigFactory.parseString("""
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
                .doesNotContainKey("spark.driver.memory");
    }

    @Test
    void clusterMastersGetNoLoopbackBinding() {
        Map<String, String> conf = SparkSettings.sparkConf(ConfigFactory.empty(), "spark://host:7077");
        assertThat(conf).doesNotContainKey("spark.driver.host").doesNotContainKey("spark.driver.bindAddress");
    }

    @Test
    void sparkMemoryBecomesJavaMemory() {
        assertThat(SparkSettings.javaMemory("1g")).isEqualTo("1g");
        assertThat(SparkSettings.javaMemory("512m")).isEqualTo("512m");
        assertThat(SparkSettings.javaMemory("2GB")).isEqualTo("2g");
        assertThatThrownBy(() -> SparkSettings.javaMemory("lots")).hasMessageContaining("lots");
    }

    @Test
    void theBundledDefaultsAndUsualSettingsAreValid() {
        SparkSettings.validate(ConfigFactory.parseString("""
                num-cpu-cores = 4
                memory-per-node = 512m
                context-factory = "spark.jobserver.context.DefaultSparkContextFactory"
                spark.session.hive.enabled = true
                streaming { batch_interval = 1000, stopGracefully = true }
                forked-jvm-init-timeout = 30s
                context-init-timeout = 60s
                passthrough { spark.driver.allowMultipleContexts = true }
                launcher { spark.driver.memory = 1g, spark.master = "local[*]" }
                spark.executor.memory = 2gb
                spark.cores.max = "3"
                """), "local[4]");
        SparkSettings.validate(ConfigFactory.empty(), "spark://a:7077,b:7077");
        SparkSettings.validate(ConfigFactory.empty(), "yarn");
        SparkSettings.validate(ConfigFactory.empty(), "k8s://https://api:6443");
    }

    @Test
    void settingsThatCannotWorkAreRefusedNamingTheSetting() {
        assertRefused("memory-per-node = \"${x}\"", "memory-per-node: '${x}' is not a memory size");
        assertRefused("num-cpu-cores = -1", "num-cpu-cores: '-1' is not a whole number of at least 1");
        assertRefused("num-cpu-cores = lots", "num-cpu-cores: 'lots'");
        assertRefused("launcher.spark.driver.memory = huge", "launcher.spark.driver.memory: 'huge'");
        assertRefused("spark.executor.cores = 0", "spark.executor.cores: '0'");
        assertRefused("context-init-timeout = soon", "context-init-timeout: 'soon' is not a duration");
        assertRefused("context-init-timeout = 0s", "context-init-timeout: '0s' must be a positive duration");
        assertRefused("streaming.batch_interval = 0", "streaming.batch_interval");
        assertRefused("context-factory = \"not a class\"", "context-factory: 'not a class' is not a class name");
        assertRefused("memory-per-node { a = 1 }", "memory-per-node must be a single value, not an object");
        assertRefused("passthrough = 3", "passthrough must be an object");
        assertRefused("launcher.spark.master = \"mesos://m:5050\"", "launcher.spark.master: 'mesos://m:5050'");
        assertRefused(
                "spark.submit.deployMode = server", "spark.submit.deployMode: 'server' must be client or cluster");
    }

    @Test
    void everyBadSettingIsNamedAtOnce() {
        assertThatThrownBy(() -> SparkSettings.validate(
                        ConfigFactory.parseString("num-cpu-cores = -1\nmemory-per-node = abc"), "local[2]"))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                .hasMessageContaining("num-cpu-cores")
                .hasMessageContaining("memory-per-node");
    }

    @Test
    void sparkHomeMustBeADistributionWithSparkSubmit(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("spark").resolve("bin")).getParent();
        Path submit = Files.createFile(home.resolve("bin").resolve("spark-submit"));
        assertRefused("spark.home = \"" + home + "\"", "spark.home: '" + home + "' is not a Spark distribution");
        assertThat(submit.toFile().setExecutable(true)).isTrue();
        SparkSettings.validate(ConfigFactory.parseString("spark.home = \"" + home + "\""), "local[2]");
        SparkSettings.validate(ConfigFactory.parseString("spark.home = \"\""), "local[2]"); // the bundled runtime

        assertRefused("spark.home = \"" + dir + "\"", "spark.home: '" + dir + "' is not a Spark distribution");
        assertRefused("spark.home = spark/home", "spark.home: 'spark/home' is not an absolute path");
        assertRefused("spark.home { a = 1 }", "spark.home must be a single value, not an object");
    }

    @Test
    void theContextsSparkHomeWinsOverTheServersAndIsNoSparkSetting() {
        assertThat(SparkSettings.sparkHome(ConfigFactory.parseString("spark.home = /a"), "/b"))
                .contains(Path.of("/a"));
        assertThat(SparkSettings.sparkHome(ConfigFactory.empty(), "/b")).contains(Path.of("/b"));
        assertThat(SparkSettings.sparkHome(ConfigFactory.parseString("spark.home = \"\""), "/b"))
                .isEmpty();
        assertThat(SparkSettings.sparkHome(ConfigFactory.empty(), "")).isEmpty();
        assertThat(SparkSettings.sparkConf(ConfigFactory.parseString("spark.home = /a"), "local[2]"))
                .doesNotContainKey("spark.home");
    }

    private static void assertRefused(String settings, String message) {
        assertThatThrownBy(() -> SparkSettings.validate(ConfigFactory.parseString(settings), "local[2]"))
                .as(settings)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(400))
                .hasMessageContaining("Invalid context settings: ")
                .hasMessageContaining(message);
    }
}
