package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigProblemsTest {

    @Test
    void everyProblemIsCollectedAndNamesItsKey() {
        Config c = ConfigFactory.parseString("port = abc, jobs = 0, cleanup = -1s, ok = 5s");
        ConfigProblems problems = new ConfigProblems(c);
        assertThat(problems.bind("port", () -> c.getInt("port"), 8090)).isEqualTo(8090);
        assertThat(problems.bind("jobs", () -> ConfigProblems.atLeast(1, c.getInt("jobs")), 8))
                .isEqualTo(8);
        problems.bind("cleanup", () -> ConfigProblems.notNegative(c.getDuration("cleanup")), Duration.ZERO);
        problems.bind(
                "ok",
                () -> {
                    throw new IllegalArgumentException("ok is required when the feature is on");
                },
                null);
        assertThat(problems.bind("ok", () -> c.getDuration("ok"), Duration.ZERO))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(problems.list())
                .hasSize(4)
                .anySatisfy(p -> assertThat(p).contains("port"))
                .anySatisfy(p -> assertThat(p).isEqualTo("jobs: must be at least 1, was 0"))
                .anySatisfy(p -> assertThat(p).isEqualTo("cleanup: must not be negative, was PT-1S"))
                .anySatisfy(p -> assertThat(p).isEqualTo("ok is required when the feature is on"));
        assertThatThrownBy(() -> problems.throwIfAny("Invalid configuration"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid configuration:\n  - ");
    }

    @Test
    void optionalKeysFallBackWhenAbsentOnly() {
        Config c = ConfigFactory.parseString("type = PKCS12, bad = {}");
        ConfigProblems problems = new ConfigProblems(c);
        assertThat(problems.bindOptional(c, "type", Config::getString, "JKS")).isEqualTo("PKCS12");
        assertThat(problems.bindOptional(c, "absent", Config::getString, "JKS")).isEqualTo("JKS");
        assertThat(problems.bindOptional(c, "bad", Config::getString, "JKS")).isEqualTo("JKS");
        assertThat(problems.list()).singleElement().asString().contains("bad");
    }

    @Test
    void aSecretKeysBadValueIsNotShown() {
        Config c = ConfigFactory.parseString("keystorePW = \"Zq-bad-3\", timeout.clientSecret = Zq-bad-4");
        ConfigProblems problems = new ConfigProblems();
        problems.bind("keystorePW", () -> c.getInt("keystorePW"), 0);
        problems.bind("timeout.clientSecret", () -> c.getDuration("timeout.clientSecret"), Duration.ZERO);
        assertThat(problems.list())
                .containsExactly(
                        "keystorePW: invalid value (not shown: the key holds a secret)",
                        "timeout.clientSecret: invalid value (not shown: the key holds a secret)");
    }

    @Test
    void aSecretQuotedInAnotherKeysProblemIsNotShown() {
        Config c = ConfigFactory.parseString("db.password = Zq-other-5\ncleanup = ${db.password}")
                .resolve();
        ConfigProblems problems = new ConfigProblems(c);
        problems.bind("cleanup", () -> c.getDuration("cleanup"), Duration.ZERO);
        assertThat(problems.list())
                .singleElement()
                .asString()
                .contains("cleanup")
                .contains("****")
                .doesNotContain("Zq-other-5");
    }
}
