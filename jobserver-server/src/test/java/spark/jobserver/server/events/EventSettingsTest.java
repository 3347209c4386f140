package spark.jobserver.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class EventSettingsTest {

    @Test
    void bundledDefaults() {
        assertThat(EventSettings.from(Configs.load(null)))
                .isEqualTo(new EventSettings(5000, 1000, 100, Duration.ofSeconds(15), Duration.ofSeconds(1)));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> EventSettings.from(Configs.load(null, ConfigFactory.parseString("""
                spark.jobserver.events.buffer-size = 0
                spark.jobserver.events.client-queue-size = many
                spark.jobserver.events.max-clients = 0
                spark.jobserver.events.keep-alive = 0s
                spark.jobserver.events.progress-interval = -1s
                """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid event stream configuration")
                .hasMessageContaining("spark.jobserver.events.buffer-size: must be at least 1, was 0")
                .hasMessageContaining("client-queue-size")
                .hasMessageContaining("spark.jobserver.events.max-clients: must be at least 1, was 0")
                .hasMessageContaining("spark.jobserver.events.keep-alive: must be positive")
                .hasMessageContaining("spark.jobserver.events.progress-interval: must not be negative");
        assertThatThrownBy(() -> EventSettings.from(
                        Configs.load(null, ConfigFactory.parseString("spark.jobserver.events.keep-alive = 30s"))))
                .hasMessageContaining("spark.jobserver.events.keep-alive: must be less than 30s");
    }
}
