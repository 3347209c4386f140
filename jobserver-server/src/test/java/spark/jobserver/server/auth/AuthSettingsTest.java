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
        assertThat(settings.maxConcurrentAuthentications()).isEqualTo(16);
        assertThat(settings.useCache()).isFalse();
        assertThat(settings.cacheTimeToLive()).isEqualTo(Duration.ofMinutes(15));
        assertThat(settings.cacheMaxEntries()).isEqualTo(512);
        assertThat(settings.useAsProxyUser()).isFalse();
        assertThat(settings.publicMetrics()).isTrue();
        assertThat(settings.publicApiDocs()).isTrue();
    }

    @Test
    void metricsAndApiDocsCanBeClosed() {
        AuthSettings closed = AuthSettings.from(
                ConfigFactory.parseString("access-control { public-metrics = off, public-api-docs = off }"));
        assertThat(closed.publicMetrics()).isFalse();
        assertThat(closed.publicApiDocs()).isFalse();
        assertThatThrownBy(() -> AuthSettings.from(ConfigFactory.parseString("access-control.public-metrics = maybe")))
                .hasMessageContaining("public-metrics");
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
        assertThat(keycloak.keycloak().audience()).isEqualTo("c");
        assertThat(keycloak.keycloak().clientSecret()).isEqualTo("s3cr3t");
        assertThat(keycloak.keycloak().toString()).doesNotContain("s3cr3t").contains("clientSecret=****");
        assertThat(keycloak.toString()).doesNotContain("s3cr3t");
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
        assertThatThrownBy(() -> AuthSettings.from(ConfigFactory.parseString(
                        "access-control { provider = keycloak, max-concurrent-authentications = 0, auth-timeout = 0s,"
                                + " keycloak { realmName = r } }")))
                .hasMessageContaining("max-concurrent-authentications: must be at least 1")
                .hasMessageContaining("auth-timeout: must be positive")
                .hasMessageContaining("access-control.keycloak.client is required")
                .hasMessageContaining("access-control.keycloak.authServerUrl is required");
    }

    @Test
    void oursKeysAreRead() {
        AuthSettings settings = AuthSettings.from(
                ConfigFactory.parseString("access-control { provider = keycloak, max-concurrent-authentications = 3,"
                        + " keycloak { issuer = \"https://idp.example.org/r/\", client = c, audience = api,"
                        + " tokenEndpoint = \"https://idp.example.org/token\" } }"));
        assertThat(settings.maxConcurrentAuthentications()).isEqualTo(3);
        assertThat(settings.keycloak().issuer()).hasToString("https://idp.example.org/r");
        assertThat(settings.keycloak().tokenEndpoint()).hasToString("https://idp.example.org/token");
        assertThat(settings.keycloak().audience()).isEqualTo("api");
        assertThat(settings.keycloak().clientSecret()).isNull();
        assertThat(settings.keycloak().toString()).contains("clientSecret=none");
    }

    @Test
    void secretsAreNeverPrintedNorInProblems() {
        // in a valid configuration: masked when printed
        AuthSettings valid = AuthSettings.from(
                ConfigFactory.parseString(
                        "access-control { provider = keycloak, keycloak {"
                                + " issuer = \"https://admin:hunter2@idp.example.org/r\", client = c, clientSecret = s3cr3t } }"));
        assertThat(valid.keycloak().issuer().getUserInfo()).isEqualTo("admin:hunter2");
        assertThat(valid.toString())
                .doesNotContain("s3cr3t")
                .doesNotContain("hunter2")
                .contains("https://****@idp.example.org/r");
        // in problems: neither a secret of the wrong type, nor credentials in a bad URL, nor an unparsable one
        assertThatThrownBy(() ->
                        AuthSettings.from(ConfigFactory.parseString("access-control { provider = keycloak, keycloak {"
                                + " issuer = \"ftp://admin:hunter2@idp.example.org/r\", client = c,"
                                + " clientSecret = [s3cr3t, other],"
                                + " tokenEndpoint = \"https://admin:pa ss@idp.example.org/token\" } }")))
                .hasMessageContaining("access-control.keycloak.clientSecret: invalid value")
                .hasMessageContaining("not an http(s) URL: ftp://****@idp.example.org/r")
                .hasMessageContaining("access-control.keycloak.tokenEndpoint")
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("s3cr3t")
                        .doesNotContain("hunter2")
                        .doesNotContain("pa ss"));
        assertThatThrownBy(() ->
                        AuthSettings.from(ConfigFactory.parseString("access-control { provider = keycloak, keycloak {"
                                + " issuer = \"https://admin:hunt er2@idp.example.org/r\", client = c } }")))
                .hasMessageContaining("access-control.keycloak.issuer: not a URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunt er2"));
    }
}
