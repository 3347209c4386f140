package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(
            strings = {
                "akka.http.server.keystorePW",
                "akka.http.server.truststorePW",
                "access-control.keycloak.clientSecret",
                "ldapRealm.contextFactory.systemPassword",
                "spark.jobserver.sqldao.jdbc.password",
                "KEYSTOREPW",
                "x.ClientSecret",
                "x.SystemPassword",
                "x.passwd",
                "x.keyPwd",
                "x.passphrase",
                "x.auth-token",
                "x.credentials",
                "x.private-key",
                "x.privateKey",
                "x.apiKey",
                "spark.hadoop.fs.s3a.secret.key"
            })
    void secretKeysOfTheOriginalMatchWhateverTheirCase(String key) {
        assertThat(Configs.isSecretKey(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "spark.jobserver.port",
                "spark.jobserver.sqldao.jdbc.url",
                "spark.jobserver.sqldao.jdbc.user",
                "akka.http.server.keystore",
                "akka.http.server.keystoreType",
                "access-control.keycloak.client"
            })
    void otherKeysAreNotSecrets(String key) {
        assertThat(Configs.isSecretKey(key)).isFalse();
    }

    @Test
    void secretsWithinValuesAreMasked() {
        assertThat(Configs.maskSecretsInText("jdbc:postgresql://db:5432/js?user=u&password=pw1&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/js?user=u&password=****&ssl=true");
        assertThat(Configs.maskSecretsInText("jdbc:sqlserver://db;user=u;password=pw2"))
                .isEqualTo("jdbc:sqlserver://db;user=u;password=****");
        assertThat(Configs.maskSecretsInText("https://alice:pw3@example.com/callback?access_token=t0k"))
                .isEqualTo("https://alice:****@example.com/callback?access_token=****");
        assertThat(Configs.maskSecretsInText("jdbc:h2:file:/tmp/x/h2-db;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:/tmp/x/h2-db;WRITE_DELAY=0");
        assertThat(Configs.maskSecretsInText("http://example.com:8080/a?b=c"))
                .isEqualTo("http://example.com:8080/a?b=c");
        assertThat(Configs.maskSecretsInText("-Djavax.net.ssl.keyStorePassword=pw5 -Xmx1g -Dfoo=bar"))
                .isEqualTo("-Djavax.net.ssl.keyStorePassword=**** -Xmx1g -Dfoo=bar");
    }

    @Test
    void secretsWithinValuesAreMaskedForDisplayAndForJobs() {
        Config c = ConfigFactory.parseString("""
                url = "jdbc:mysql://db/js?password=pw4"
                options = ["-Xss4m", "-Dssl.trustStorePassword=pw6"]
                """);
        for (Config shown : List.of(Configs.masked(c), Configs.withoutSecrets(c))) {
            assertThat(shown.getString("url")).isEqualTo("jdbc:mysql://db/js?password=****");
            assertThat(shown.getStringList("options")).containsExactly("-Xss4m", "-Dssl.trustStorePassword=****");
        }
    }

    /** Typesafe Config quotes values in some errors: "Cannot concatenate ..., Quoted("...") and ...". */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "spark.jobserver.sqldao.jdbc.password = \"Zq-load-1\" [1]",
                "spark.jobserver.sqldao.jdbc.password = Zq-load-1 { x = 1 }",
                "access-control { keycloak { clientSecret = \"Zq-load-1\" [2] } }",
                "akka.http.server.keystorePW: Zq-load-1 {}",
                "x.password = Zq-load-1\nspark.jobserver.port = ${x.password} {}"
            })
    void loadErrorsDoNotShowSecrets(String text, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(file, text);
        assertThatThrownBy(() -> Configs.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid configuration: ")
                .hasMessageContaining("my.conf")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Zq-load-1"));
    }

    @Test
    void loadErrorsDoNotShowSecretsOfOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(file, "spark.jobserver.port = ${access-control.keycloak.clientSecret} [1]\n");
        Config overrides = ConfigFactory.parseString("access-control.keycloak.clientSecret = Zq-override-2");
        assertThatThrownBy(() -> Configs.load(file, overrides))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Zq-override-2"));
    }

    @Test
    void scrubbingReplacesWholeSecretsOnly() {
        assertThat(Configs.scrub("Could not parse 'pass' in password", List.of("pass")))
                .isEqualTo("Could not parse '****' in password");
        assertThat(Configs.scrub("Quoted(\" hunter2\")", List.of("hunter2"))).isEqualTo("Quoted(\" ****\")");
    }

    @Test
    void bodiesParseAsHoconOrJson() {
        assertThat(Configs.parseBody("input.string = a b c").getString("input.string"))
                .isEqualTo("a b c");
        assertThat(Configs.parseBody("{\"input\":{\"string\":\"x\"}}").getString("input.string"))
                .isEqualTo("x");
        assertThat(Configs.parseBody("").isEmpty()).isTrue();
    }

    @Test
    void aClientsHoconReachesNoFileUrlOrEnvironmentOfTheServer(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("server-only.conf"), "stolen = yes");
        for (String include : List.of(
                "include file(\"" + secret + "\")",
                "include \"" + secret + "\"",
                "include url(\"" + secret.toUri() + "\")",
                "include classpath(\"jobserver-defaults.conf\")",
                "a { include required(file(\"" + secret + "\")) }")) {
            assertThatThrownBy(() -> Configs.parseBody(include))
                    .as(include)
                    .isInstanceOf(com.typesafe.config.ConfigException.class)
                    .hasMessageContaining("include is not allowed in a request");
        }
        // substitutions work within the body, never against the server's environment
        Config body = Configs.parseBody("a = 1\nb = ${a}\nhome = ${?HOME}\npath = ${?PATH}");
        assertThat(body.getInt("b")).isEqualTo(1);
        assertThat(body.hasPath("home")).isFalse();
        assertThat(body.hasPath("path")).isFalse();
        assertThatThrownBy(() -> Configs.parseBody("p = ${PATH}"))
                .isInstanceOf(com.typesafe.config.ConfigException.class);
    }
}
