package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.BinaryRef;

class DriverConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFileTheServerWrites() throws Exception {
        Path file = dir.resolve("driver.conf");
        Files.writeString(file, """
                driver {
                  context-id = "6f1c"
                  context-name = "ctx"
                  server-ws-url = "ws://127.0.0.1:8090/driver/ws"
                  server-http-url = "http://127.0.0.1:8090/"
                  max-jobs = 3
                  heartbeat-interval = 2s
                  reconnect-grace-period = 1m
                  named-object-creation-timeout = 30s
                  binary-cache-dir = "%s"
                }
                context-settings {
                  context.name = ctx
                  is-adhoc = false
                  context-factory = spark.jobserver.context.JavaSparkContextFactory
                  hadoop { "fs.s3a.endpoint" = "http://s3" }
                }
                job-config-fallback { spark.jobserver.port = 8090 }
                """.formatted(dir.resolve("binaries")));

        DriverConfig config = DriverConfig.load(file);

        assertThat(config.contextId()).isEqualTo("6f1c");
        assertThat(config.contextName()).isEqualTo("ctx");
        assertThat(config.serverWsUrl()).isEqualTo(URI.create("ws://127.0.0.1:8090/driver/ws"));
        assertThat(config.serverHttpUrl()).isEqualTo(URI.create("http://127.0.0.1:8090"));
        assertThat(config.maxJobs()).isEqualTo(3);
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.reconnectGracePeriod()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.namedObjectCreationTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.binaryCacheDir()).isEqualTo(dir.resolve("binaries"));
        assertThat(config.contextSettings().getString("context.name")).isEqualTo("ctx");
        assertThat(config.contextFactory()).isEqualTo("spark.jobserver.context.JavaSparkContextFactory");
        assertThat(config.jobConfigFallback().getInt("spark.jobserver.port")).isEqualTo(8090);
    }

    @Test
    void optionalKeysHaveTheDocumentedDefaults() {
        DriverConfig config = DriverConfig.from(ConfigFactory.parseString("""
                driver {
                  context-id = a, context-name = b
                  server-ws-url = "wss://jobs.example.com/driver/ws", server-http-url = "https://jobs.example.com"
                  binary-cache-dir = /tmp/cache
                }
                """));
        assertThat(config.maxJobs()).isEqualTo(8);
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.progressInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.reconnectGracePeriod()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.namedObjectCreationTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.dataCacheDir()).isEqualTo(Path.of("data-cache").toAbsolutePath());
        assertThat(config.contextFactory()).isEqualTo("spark.jobserver.context.DefaultSparkContextFactory");
        assertThat(config.contextSettings().isEmpty()).isTrue();
        assertThat(config.jobConfigFallback().isEmpty()).isTrue();
        assertThat(config.contextBinaries()).isEmpty();
        assertThat(config.stopContextOnJobError(false)).isFalse();
        assertThat(config.stopContextOnJobError(true)).isTrue();
    }

    private static final String MINIMAL_DRIVER = """
            context-id = a, context-name = b
            server-ws-url = "ws://127.0.0.1:1/driver/ws", server-http-url = "http://127.0.0.1:1"
            binary-cache-dir = /tmp/cache
            """;

    @Test
    void aZeroProgressIntervalTurnsProgressOffAndANegativeOneIsRefused() {
        DriverConfig off =
                DriverConfig.from(ConfigFactory.parseString("driver {" + MINIMAL_DRIVER + "progress-interval = 0s }"));
        assertThat(off.progressInterval()).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> DriverConfig.from(
                        ConfigFactory.parseString("driver {" + MINIMAL_DRIVER + "progress-interval = -1s }")))
                .hasMessageContaining("driver.progress-interval must not be negative");
    }

    @Test
    void theContextsOwnBinariesAreUploadedOnesByHashOrUris() {
        DriverConfig config = DriverConfig.from(
                ConfigFactory.parseString("driver {" + MINIMAL_DRIVER + """
                  context-binaries = [
                    {name = "deps", sha256 = "%s"},
                    {name = "file:/opt/jars/extra.jar", uri = "file:/opt/jars/extra.jar"}
                  ]
                }
                """.formatted("ab".repeat(32))));
        assertThat(config.contextBinaries())
                .containsExactly(
                        BinaryRef.uploaded("deps", "ab".repeat(32)), BinaryRef.uri("file:/opt/jars/extra.jar"));
    }

    @Test
    void badContextBinariesAreReportedByPosition() {
        assertThatThrownBy(() -> DriverConfig.from(ConfigFactory.parseString("driver {" + MINIMAL_DRIVER + """
                  context-binaries = [{name = "both", sha256 = "x", uri = "file:/x"}, {uri = "file:/y"}]
                }
                """)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("driver.context-binaries[0]: exactly one of sha256 and uri must be set")
                .hasMessageContaining("driver.context-binaries[1]: ");
    }

    @Test
    void stopContextOnJobErrorIsReadFromTheSettingsOverTheFactorysDefault() {
        DriverConfig on = DriverConfig.from(ConfigFactory.parseString(
                "driver {" + MINIMAL_DRIVER + "}\ncontext-settings { stop-context-on-job-error = \"true\" }"));
        assertThat(on.stopContextOnJobError(false)).isTrue();
        DriverConfig off = DriverConfig.from(ConfigFactory.parseString(
                "driver {" + MINIMAL_DRIVER + "}\ncontext-settings { stop-context-on-job-error = false }"));
        assertThat(off.stopContextOnJobError(true)).isFalse();
        DriverConfig bad = DriverConfig.from(ConfigFactory.parseString(
                "driver {" + MINIMAL_DRIVER + "}\ncontext-settings { stop-context-on-job-error = sometimes }"));
        assertThatThrownBy(() -> bad.stopContextOnJobError(false))
                .hasMessage("context setting stop-context-on-job-error must be true or false, not 'sometimes'");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> DriverConfig.from(ConfigFactory.parseString("""
                driver {
                  context-name = " "
                  server-ws-url = "http://wrong-scheme"
                  max-jobs = 0
                  heartbeat-interval = forever
                }
                """)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("driver.context-id is missing")
                .hasMessageContaining("driver.context-name is blank")
                .hasMessageContaining("driver.server-ws-url must be an absolute")
                .hasMessageContaining("driver.server-http-url is missing")
                .hasMessageContaining("driver.max-jobs must be at least 1")
                .hasMessageContaining("heartbeat-interval")
                // the cache directory is optional: relative to the driver's working directory
                .message()
                .doesNotContain("binary-cache-dir");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> DriverConfig.load(dir.resolve("nope.conf")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope.conf");
    }
}
