package spark.jobserver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;

class AuthSettingsTest {

    @Test
    void defaultsAreAllowAllWithoutCacheOrProxyUsers() {
        AuthSettings settings = AuthSettings.from(Configs.load(null));
        assertThat(settings.provider()).isEqualTo(AuthSettings.Provider.ALLOW_ALL);
        assertThat(settings.authTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.useCache()).isFalse();
        assertThat(settings.cacheTimeToLive()).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings.cacheMaxEntries()).isEqualTo(512);
        assertThat(settings.useAsProxyUser()).isFalse();
    }

    @Test
    void providersAreChosenByTheOriginalsClassNames() throws Exception {
        Path ini = Files.createTempFile("shiro", ".ini");
        try {
            assertThat(AuthSettings.from(ConfigFactory.parseString(
                            "access-control { provider = spark.jobserver.auth.ShiroAccessControl\n"
                                    + "shiro.config.path = \"" + ini + "\", shiro.use-as-proxy-user = on }")))
                    .satisfies(s -> {
                        assertThat(s.provider()).isEqualTo(AuthSettings.Provider.SHIRO);
                        assertThat(s.useAsProxyUser()).isTrue();
                        assertThat(s.shiroConfigPath()).isEqualTo(ini.toAbsolutePath());
                    });
        } finally {
            Files.delete(ini);
        }
        AuthSettings keycloak = AuthSettings.from(
                ConfigFactory.parseString("access-control { provider = spark.jobserver.auth.KeycloakAccessControl\n"
                        + "keycloak { authServerUrl = \"https://kc.example.org/\", realmName = r, client = c, clientSecret = s3cr3t }\n"
                        + "use-cache = on, akka.http.caching.lfu-cache { time-to-live = 2m, max-capacity = 7 } }"));
        assertThat(keycloak.provider()).isEqualTo(AuthSettings.Provider.KEYCLOAK);
        assertThat(keycloak.keycloak().issuer()).hasToString("https://kc.example.org/realms/r");
        assertThat(keycloak.keycloak().toString()).doesNotContain("s3cr3t");
        assertThat(keycloak.cacheTimeToLive()).isEqualTo(Duration.ofMinutes(2));
        assertThat(keycloak.cacheMaxEntries()).isEqualTo(7);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> AuthSettings.from(ConfigFactory.parseString(
                        "access-control { provider = spark.jobserver.auth.NoSuchAccessControl, auth-timeout = soon }")))
                .hasMessageContaining("unknown provider")
                .hasMessageContaining("auth-timeout");
        assertThatThrownBy(
                        () -> AuthSettings.from(
                                ConfigFactory.parseString(
                                        "access-control { provider = spark.jobserver.auth.ShiroAccessControl, shiro.config.path = /no/such/shiro.ini }")))
                .hasMessageContaining("cannot read /no/such/shiro.ini");
        assertThatThrownBy(() -> AuthSettings.from(ConfigFactory.parseString(
                        "access-control { provider = spark.jobserver.auth.KeycloakAccessControl, keycloak { authServerUrl = \"ftp://x\","
                                + " realmName = r, client = c } }")))
                .hasMessageContaining("not an http(s) URL");
    }
}
