package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    /** Pins every default: a changed default is a decision, made in the defaults file and here. */
    @Test
    void defaultsAreTheReferenceValues() {
        ServerConfig c = ServerConfig.from(Configs.load(null, ConfigFactory.empty()));
        assertThat(c.port()).isEqualTo(8090);
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.sparkMaster()).isEqualTo("local[4]");
        assertThat(c.deployMode()).isEqualTo("client");
        assertThat(c.maxJobsPerContext()).isEqualTo(8);
        assertThat(c.contextCreationTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.contextDeletionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.namedObjectCreationTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(c.maxContentLength()).isEqualTo(30L * 1024 * 1024);
        assertThat(c.rootDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".spark-jobserver"));
        assertThat(c.binaryCacheDir()).isEqualTo(c.rootDir().resolve("binaries"));
        assertThat(c.dataDir()).isEqualTo(c.rootDir().resolve("upload"));

        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:h2:file:" + c.rootDir() + "/sqldao/data/h2-db");
        assertThat(c.database().user()).isEmpty();
        assertThat(c.database().password()).isEmpty();
        assertThat(c.database().poolSize()).isEqualTo(20);
        assertThat(c.database().driverClass()).isEqualTo("org.h2.Driver");

        ServerConfig.Driver driver = c.driver();
        assertThat(driver.jar()).isEqualTo(Objects.requireNonNullElse(System.getenv("JOBSERVER_DRIVER_JAR"), ""));
        if (System.getenv("JOBSERVER_DRIVER_CLASSPATH") == null
                && System.getenv("JOBSERVER_DRIVER_CLASSPATH_FILE") == null) {
            assertThat(driver.classpath()).isEmpty();
        }
        assertThat(driver.javaHome()).isEmpty();
        assertThat(driver.jvmOptions()).isEmpty();
        assertThat(driver.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(driver.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(driver.progressInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(driver.reconnectGracePeriod()).isEqualTo(Duration.ofMinutes(5));
        assertThat(driver.reattachTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(driver.maxMessageSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(driver.classDataSharing()).isTrue();
        assertThat(driver.serverUrl()).isEmpty();

        assertThat(c.contexts().isEmpty()).isTrue();
        assertThat(c.contextDefaults().getInt("num-cpu-cores")).isEqualTo(4);
        assertThat(c.contextDefaults().getString("memory-per-node")).isEqualTo("512m");
        assertThat(c.contextDefaults().getString("context-factory"))
                .isEqualTo("spark.jobserver.context.DefaultSparkContextFactory");
        assertThat(c.contextDefaults().getBoolean("spark.session.hive.enabled")).isTrue();
        assertThat(c.contextDefaults().getInt("streaming.batch_interval")).isEqualTo(1000);
        assertThat(c.contextDefaults().getBoolean("streaming.stopGracefully")).isTrue();
        assertThat(c.contextDefaults().getBoolean("streaming.stopSparkContext")).isTrue();
        assertThat(c.contextDefaults().getDuration("forked-jvm-init-timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.contextDefaults().getDuration("context-init-timeout")).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.contextDefaults().getBoolean("passthrough.spark.driver.allowMultipleContexts"))
                .isTrue();
        assertThat(c.contextDefaults().getStringList("python.paths")).isEmpty();
        assertThat(c.contextDefaults().getString("python.executable")).isEqualTo("python3");
        assertThat(c.contextDefaults().getString("launcher.spark.driver.memory"))
                .isEqualTo("1g");

        assertThat(c.jobHistory().cleanupAfter()).isEqualTo(Duration.ofHours(72));
        assertThat(c.jobHistory().maxJobs()).isZero();
        assertThat(c.jobHistory().pruneInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.jobHistory().maxResultSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.jobHistory().maxErrorSize()).isEqualTo(64L * 1024);
        assertThat(c.jobHistory()).isEqualTo(ServerConfig.JobHistory.defaults());
        if (System.getenv("SPARK_HOME") == null) {
            assertThat(c.sparkHome()).isEmpty(); // the bundled Spark runtime
        }
    }

    @Test
    void theSparkHomeIsADistributionWithSparkSubmit(@TempDir Path dir) throws Exception {
        Path submit = Files.createDirectories(dir.resolve("bin")).resolve("spark-submit");
        Files.createFile(submit);
        assertThat(submit.toFile().setExecutable(true)).isTrue();
        ServerConfig c = ServerConfig.from(
                Configs.load(null, ConfigFactory.parseString("spark.jobserver.spark-home = \"" + dir + "/bin/..\"")));
        assertThat(c.sparkHome()).isEqualTo(dir.toString());
        assertThatThrownBy(() -> ServerConfig.from(Configs.load(
                        null,
                        ConfigFactory.parseString("spark.jobserver.spark-home = \"" + dir.resolve("bin") + "\""))))
                .hasMessageContaining(
                        "spark.jobserver.spark-home: '" + dir.resolve("bin") + "' is not a Spark distribution")
                .hasMessageContaining("no executable bin/spark-submit");
    }

    @Test
    void yarnMastersUseTheYarnTimeouts() {
        ServerConfig c = ServerConfig.from(Configs.load(null, ConfigFactory.parseString("spark.master = yarn")));
        assertThat(c.contextCreationTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(c.contextDeletionTimeout()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void theUrlDriversDialIsAnHttpUrlWhenGiven() {
        ServerConfig c = ServerConfig.from(Configs.load(
                null,
                ConfigFactory.parseString("spark.jobserver.driver.server-url = \"https://js.example.org:8090/\"")));
        assertThat(c.driver().serverUrl()).isEqualTo("https://js.example.org:8090");
        assertThatThrownBy(() -> ServerConfig.from(Configs.load(
                        null, ConfigFactory.parseString("spark.jobserver.driver.server-url = \"ftp://js\""))))
                .hasMessageContaining("spark.jobserver.driver.server-url")
                .hasMessageContaining("absolute http(s) URL");
    }

    @Test
    void driversGetTheConfiguredEnvironmentWithSecretsMaskedInLogs() {
        ServerConfig c = ServerConfig.from(Configs.load(
                null,
                ConfigFactory.parseString("spark.jobserver.driver.environment {\n"
                        + "  HADOOP_CONF_DIR = \"/etc/hadoop/conf\"\n  AWS_SECRET_ACCESS_KEY = s3cr3t\n}")));
        assertThat(c.driver().environment())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("HADOOP_CONF_DIR", "/etc/hadoop/conf", "AWS_SECRET_ACCESS_KEY", "s3cr3t"));
        assertThat(c.toString()).contains("HADOOP_CONF_DIR=/etc/hadoop/conf").doesNotContain("s3cr3t");
        assertThat(ServerConfig.from(Configs.load(null, ConfigFactory.empty()))
                        .driver()
                        .environment())
                .isEmpty();
        assertThatThrownBy(() -> ServerConfig.from(
                        Configs.load(null, ConfigFactory.parseString("spark.jobserver.driver.environment.A = [1, 2]"))))
                .hasMessageContaining("spark.jobserver.driver.environment")
                .hasMessageContaining("variable A must be a single value");
    }

    @Test
    void rootDirMovesEveryDerivedDirectory(@TempDir Path root) throws Exception {
        Path file = root.resolve("my.conf");
        Files.writeString(file, "spark.jobserver.rootdir = \"" + root + "\"\nspark.jobserver.port = 9999\n");
        ServerConfig c = ServerConfig.load(file);
        assertThat(c.port()).isEqualTo(9999);
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:h2:file:" + root + "/sqldao/data/h2-db");
        assertThat(c.binaryCacheDir()).isEqualTo(root.resolve("binaries"));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> ServerConfig.from(Configs.load(null, ConfigFactory.parseString("""
                        spark.jobserver.port = abc
                        spark.jobserver.max-jobs-per-context = 0
                        spark.jobserver.job-history.prune-interval = 0s
                        spark.jobserver.driver.heartbeat-interval = 0s
                        spark.jobserver.dao-cleanup-after = soon
                        """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid configuration:")
                .hasMessageContaining("port")
                .hasMessageContaining("spark.jobserver.max-jobs-per-context: must be at least 1, was 0")
                .hasMessageContaining("spark.jobserver.job-history.prune-interval: must be positive")
                .hasMessageContaining("spark.jobserver.driver.heartbeat-interval: must be positive")
                .hasMessageContaining("dao-cleanup-after");
    }

    @Test
    void missingUserFileIsAClearError() {
        assertThatThrownBy(() -> ServerConfig.load(Path.of("/no/such.conf"))).hasMessageContaining("/no/such.conf");
    }

    @Test
    void toStringShowsTheBoundSettings() {
        ServerConfig c =
                ServerConfig.from(Configs.load(null, ConfigFactory.parseString("spark.jobserver.port = 9191")));
        assertThat(c.toString())
                .startsWith("ServerConfig[port=9191, bindAddress=0.0.0.0")
                .contains("maxJobsPerContext=8")
                .contains("password=****")
                .contains("\"num-cpu-cores\":4");
    }

    @Test
    void jvmOptionsThatAreSecretsAreMasked() {
        ServerConfig c = ServerConfig.from(Configs.load(null, ConfigFactory.parseString("""
                spark.jobserver.driver.jvm-options = ["-Xss4m", "-Djavax.net.ssl.trustStorePassword=Zq-jvm-6"]
                """)));
        assertThat(c.driver().jvmOptions()).contains("-Djavax.net.ssl.trustStorePassword=Zq-jvm-6");
        assertThat(c.driver().toString())
                .contains("-Xss4m")
                .contains("-Djavax.net.ssl.trustStorePassword=****")
                .doesNotContain("Zq-jvm-6");
        assertThat(c.toString()).doesNotContain("Zq-jvm-6");
        assertThat(c.describe())
                .contains("-Djavax.net.ssl.trustStorePassword=****")
                .doesNotContain("Zq-jvm-6");
    }
}
