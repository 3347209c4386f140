package spark.jobserver.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class IdempotencySettingsTest {

    @Test
    void bundledDefaults() {
        assertThat(IdempotencySettings.from(Configs.load(null)))
                .isEqualTo(new IdempotencySettings(true, Duration.ofHours(24), 1L << 20));
    }

    @Test
    void keysAreBound() {
        assertThat(IdempotencySettings.from(Configs.load(null, ConfigFactory.parseString("""
                        spark.jobserver.idempotency { enabled = off, window = 10m, max-stored-body = 64k }
                        """))))
                .isEqualTo(new IdempotencySettings(false, Duration.ofMinutes(10), 64L << 10));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> IdempotencySettings.from(Configs.load(null, ConfigFactory.parseString("""
                        spark.jobserver.idempotency { enabled = maybe, window = 0s, max-stored-body = 1g }
                        """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid idempotency configuration")
                .hasMessageContaining("spark.jobserver.idempotency.enabled")
                .hasMessageContaining("spark.jobserver.idempotency.window: must be positive")
                .hasMessageContaining("spark.jobserver.idempotency.max-stored-body: must be at most 64m");
    }
}
