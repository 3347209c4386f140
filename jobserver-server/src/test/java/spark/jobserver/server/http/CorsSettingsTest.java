package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class CorsSettingsTest {

    @Test
    void defaultAllowsAnyOrigin() {
        CorsSettings settings = CorsSettings.from(Configs.load(null));
        assertThat(settings.allowedOrigins()).containsExactly("*");
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.allows("https://anywhere.example.com")).isTrue();
        assertThat(CorsSettings.METHODS).containsExactly("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS");
        assertThat(CorsSettings.MAX_AGE.toSeconds()).isEqualTo(1800);
    }

    @Test
    void listedOriginsAreComparedWithoutCase() {
        CorsSettings settings = CorsSettings.from(ConfigFactory.parseString(
                "spark.jobserver.cors.allowed-origins = [\"https://UI.example.org:8443\", \"http://localhost:3000\"]"));
        assertThat(settings.allowedOrigins()).containsExactly("https://ui.example.org:8443", "http://localhost:3000");
        assertThat(settings.allows("https://ui.example.org:8443")).isTrue();
        assertThat(settings.allows("HTTPS://ui.Example.org:8443")).isTrue();
        assertThat(settings.allows("https://ui.example.org")).isFalse();
        assertThat(settings.allows("http://evil.example.com")).isFalse();
    }

    @Test
    void anEmptyListTurnsCorsOff() {
        assertThat(CorsSettings.from(ConfigFactory.parseString("spark.jobserver.cors.allowed-origins = []"))
                        .enabled())
                .isFalse();
        assertThat(new CorsSettings(List.of()).enabled()).isFalse();
    }

    @Test
    void everyBadOriginIsReportedAtOnce() {
        assertThatThrownBy(() -> CorsSettings.from(ConfigFactory.parseString(
                        "spark.jobserver.cors.allowed-origins = [\"ui.example.org\", \"https://ui.example.org/app\","
                                + " \"https://ok.example.org\"]")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ui.example.org' is neither")
                .hasMessageContaining("'https://ui.example.org/app' is neither")
                .hasMessageNotContaining("'https://ok.example.org'");
        assertThatThrownBy(
                        () -> CorsSettings.from(ConfigFactory.parseString("spark.jobserver.cors.allowed-origins = 3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spark.jobserver.cors.allowed-origins");
    }
}
