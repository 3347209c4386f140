package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ConfigsTest {

    @Test
    void secretsAreRemovedAtAnyDepth() {
        Config c = ConfigFactory.parseString("""
                a.password = x
                b { client-secret = y, keep = z }
                akka.http.server.keystorePW = w
                token = t
                """);
        Config clean = Configs.withoutSecrets(c);
        assertThat(clean.hasPath("a.password")).isFalse();
        assertThat(clean.hasPath("b.client-secret")).isFalse();
        assertThat(clean.hasPath("akka.http.server.keystorePW")).isFalse();
        assertThat(clean.hasPath("token")).isFalse();
        assertThat(clean.getString("b.keep")).isEqualTo("z");
        assertThat(Configs.masked(c).getString("a.password")).isEqualTo("****");
    }

    @Test
    void bodiesParseAsHoconOrJson() {
        assertThat(Configs.parseBody("input.string = a b c").getString("input.string"))
                .isEqualTo("a b c");
        assertThat(Configs.parseBody("{\"input\":{\"string\":\"x\"}}").getString("input.string"))
                .isEqualTo("x");
        assertThat(Configs.parseBody("").isEmpty()).isTrue();
    }
}
