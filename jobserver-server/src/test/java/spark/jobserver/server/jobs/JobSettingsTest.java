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
                """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("result-chunk-size")
                .hasMessageContaining("max-attempts")
                .hasMessageContaining("retry-backoff")
                .hasMessageContaining("callback.timeout");
    }
}
