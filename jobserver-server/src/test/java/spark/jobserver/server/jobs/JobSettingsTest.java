package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class JobSettingsTest {

    @Test
    void bundledDefaults() {
        JobSettings settings = JobSettings.from(Configs.load(null));
        assertThat(settings.resultChunkSize()).isEqualTo(100 * 1024);
        assertThat(settings.maxStreamResultSize()).isEqualTo(1L << 30);
        assertThat(settings.callbackMaxAttempts()).isEqualTo(5);
        assertThat(settings.callbackRetryDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.callbackRetryBackoff()).isEqualTo(1.0);
        assertThat(settings.callbackTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> JobSettings.from(Configs.load(null, ConfigFactory.parseString("""
                spark.jobserver.result-chunk-size = 0
                spark.jobserver.callback.max-attempts = 0
                spark.jobserver.callback.retry-backoff = 0.5
                spark.jobserver.callback.timeout = soon
                spark.jobserver.callback.retry-delay = -1s
                spark.jobserver.max-stream-result-size = 0
                """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid configuration:")
                .hasMessageContaining("spark.jobserver.result-chunk-size: must be at least 1, was 0")
                .hasMessageContaining("spark.jobserver.callback.max-attempts: must be at least 1, was 0")
                .hasMessageContaining("spark.jobserver.callback.retry-backoff: must be at least 1.0, was 0.5")
                .hasMessageContaining("callback.timeout")
                .hasMessageContaining("spark.jobserver.callback.retry-delay: must not be negative")
                .hasMessageContaining("spark.jobserver.max-stream-result-size: must be at least 1, was 0");
    }

    @Test
    void aChunkMustFitAnArray() {
        assertThatThrownBy(() -> JobSettings.from(
                        Configs.load(null, ConfigFactory.parseString("spark.jobserver.result-chunk-size = 3g"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spark.jobserver.result-chunk-size: must be less than 2g");
    }
}
