package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class JobConfigsTest {
    private final Config fallback = ConfigFactory.parseString(
            "spark.jobserver { port = 8090, max-jobs-per-context = 8 }\nshared = from-server\n");

    @Test
    void thePostedConfigWinsAndFallsBackToTheServers() {
        Config merged = JobConfigs.merge("input.string = \"a b c\"\nshared = from-job", fallback);
        assertThat(merged.getString("input.string")).isEqualTo("a b c");
        assertThat(merged.getString("shared")).isEqualTo("from-job");
        assertThat(merged.getInt("spark.jobserver.port")).isEqualTo(8090);
        assertThat(merged.root().keySet()).contains("input", "shared", "spark");
    }

    @Test
    void jsonIsAcceptedAsWellAsHocon() {
        Config merged = JobConfigs.merge("{\"input\":{\"string\":\"x\"}}", fallback);
        assertThat(merged.getString("input.string")).isEqualTo("x");
    }

    @Test
    void substitutionsResolveAgainstTheFallback() {
        Config merged = JobConfigs.merge("port = ${spark.jobserver.port}", fallback);
        assertThat(merged.getInt("port")).isEqualTo(8090);
    }

    @Test
    void anEmptyOrMissingConfigIsJustTheFallback() {
        assertThat(JobConfigs.merge("", fallback)).isEqualTo(fallback.resolve());
        assertThat(JobConfigs.merge(null, fallback).getString("shared")).isEqualTo("from-server");
    }

    @Test
    void badTextFailsWithTheParseError() {
        assertThatThrownBy(() -> JobConfigs.merge("a = {", fallback)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> JobConfigs.merge("a = ${nowhere}", fallback))
                .isInstanceOf(ConfigException.UnresolvedSubstitution.class);
    }
}
