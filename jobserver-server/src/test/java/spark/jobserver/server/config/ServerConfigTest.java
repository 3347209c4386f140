package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @Test
    void defaultsAreTheReferenceValues() {
        ServerConfig c = ServerConfig.from(Configs.load(null, ConfigFactory.empty()));
        assertThat(c.port()).isEqualTo(8090);
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.sparkMaster()).isEqualTo("local[4]");
        assertThat(c.maxJobsPerContext()).isEqualTo(8);
        assertThat(c.contextCreationTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.contextDeletionTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(c.maxContentLength()).isEqualTo(30L * 1024 * 1024);
        assertThat(c.rootDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".spark-jobserver"));
        assertThat(c.database().jdbcUrl()).isEqualTo("jdbc:h2:file:" + c.rootDir() + "/sqldao/data/h2-db");
        assertThat(c.binaryCacheDir()).isEqualTo(c.rootDir().resolve("binaries"));
        assertThat(c.dataDir()).isEqualTo(c.rootDir().resolve("upload"));
        assertThat(c.contextDefaults().getInt("num-cpu-cores")).isEqualTo(4);
        assertThat(c.contextDefaults().getString("memory-per-node")).isEqualTo("512m");
        assertThat(c.contextDefaults().getString("context-factory"))
                .isEqualTo("spark.jobserver.context.DefaultSparkContextFactory");
        assertThat(c.contextDefaults().getString("launcher.spark.driver.memory"))
                .isEqualTo("1g");
        assertThat(c.driver().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.driver().reconnectGracePeriod()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.jobHistory()).isEqualTo(ServerConfig.JobHistory.defaults());
        assertThat(c.jobHistory().cleanupAfter()).isEqualTo(Duration.ofHours(72));
        assertThat(c.database().driverClass()).isEqualTo("org.h2.Driver");
        assertThat(c.database().poolSize()).isEqualTo(20);
    }

    @Test
    void yarnMastersUseTheYarnTimeouts() {
        ServerConfig c = ServerConfig.from(Configs.load(null, ConfigFactory.parseString("spark.master = yarn")));
        assertThat(c.contextCreationTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(c.contextDeletionTimeout()).isEqualTo(Duration.ofSeconds(40));
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
