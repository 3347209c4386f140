package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import spark.jobserver.server.http.TlsSettings;
import spark.jobserver.server.jobs.JobSettings;

/**
 * Every secret key the server knows, each set to a distinctive value, must not show in any text of the
 * configuration layer: toString, describe(), warnings, binding errors, load errors.
 */
class SecretMaskingTest {
    /** The secret keys of the original (camelCase kept), ours, and one per kind of key Configs.isSecretKey matches. */
    static final List<String> SECRET_KEYS = List.of(
            "spark.jobserver.sqldao.jdbc.password",
            "access-control.keycloak.clientSecret",
            "akka.http.server.keystorePW",
            "akka.http.server.truststorePW",
            "access-control.shiro.ldap.systemPassword",
            "spark.jobserver.callback.credentials",
            "spark.jobserver.callback.auth-token",
            "spark.context-settings.passthrough.spark.hadoop.fs.s3a.secret.key",
            "spark.contexts.reports.spark.ssl.keyStorePassword",
            "spray.can.server.keystorePW",
            "shiro.ldap.systemPassword",
            "spark.jobserver.x.passwd",
            "spark.jobserver.x.db-pwd",
            "spark.jobserver.x.passphrase",
            "spark.jobserver.x.private-key",
            "spark.jobserver.x.privateKey",
            "spark.jobserver.x.apiKey",
            "spark.jobserver.x.token");

    static List<String> secretKeys() {
        return SECRET_KEYS;
    }

    private static String secret(int i) {
        return "Zq" + i + "-s3cr3t-value";
    }

    private static List<String> secrets() {
        return IntStream.range(0, SECRET_KEYS.size())
                .mapToObj(SecretMaskingTest::secret)
                .toList();
    }

    private static Path file(Path dir, String text) throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(file, text);
        return file;
    }

    private static String allSecrets() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < SECRET_KEYS.size(); i++) {
            text.append(SECRET_KEYS.get(i)).append(" = \"").append(secret(i)).append("\"\n");
        }
        return text.toString();
    }

    private static void assertNoSecretIn(String text) {
        for (String secret : secrets()) {
            assertThat(text).doesNotContain(secret);
        }
        assertThat(text).doesNotContain("s3cr3t");
    }

    @Test
    void noTextOfABoundConfigurationShowsASecret(@TempDir Path dir) throws Exception {
        ServerConfig c = ServerConfig.load(file(dir, allSecrets() + """
                spark.jobserver.sqldao.jdbc.url = "jdbc:postgresql://db/js?user=js&password=url-s3cr3t"
                spark.jobserver.driver.jvm-options = ["-Djavax.net.ssl.keyStorePassword=jvm-s3cr3t"]
                """));
        assertThat(c.raw().getString(SECRET_KEYS.get(0))).isEqualTo(secret(0));
        assertThat(c.database().password()).isEqualTo(secret(0));

        List<String> texts = new ArrayList<>();
        texts.add(c.toString());
        texts.add(c.describe());
        texts.add(c.database().toString());
        texts.add(c.driver().toString());
        texts.addAll(UnsupportedSettings.check(c.raw(), new ConfigProblems(c.raw())));
        for (String text : texts) {
            assertNoSecretIn(text);
        }
        // the keys are still there, masked
        assertThat(c.describe()).contains("\"keystorePW\" : \"****\"").contains("password=****");
        // and the ignored keys holding secrets were warned about by name only
        assertThat(UnsupportedSettings.check(c.raw(), new ConfigProblems()))
                .contains("spray.can.server.keystorePW is ignored: the HTTP server reads akka.http.server.*"
                        + " (request-timeout, parsing.max-content-length, ssl-encryption, keystore, ...)");
    }

    /** Typesafe Config quotes a value it cannot parse: "Could not parse duration number '...'". */
    @ParameterizedTest
    @MethodSource("secretKeys")
    void aSecretUsedWhereItCannotBeParsedIsNotShown(String key, @TempDir Path dir) throws Exception {
        Config config = Configs.load(file(dir, allSecrets() + """
                spark.jobserver.dao-cleanup-after = ${%1$s}
                spark.jobserver.callback.timeout = ${%1$s}
                spark.jobserver.job-history.max-result-size = ${%1$s}
                """.formatted(key)));
        assertThatThrownBy(() -> ServerConfig.from(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spark.jobserver.dao-cleanup-after")
                .hasMessageContaining("spark.jobserver.job-history.max-result-size")
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
        assertThatThrownBy(() -> JobSettings.from(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spark.jobserver.callback.timeout")
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
    }

    /** A file that does not parse or resolve: Typesafe Config quotes the pieces it cannot concatenate. */
    @ParameterizedTest
    @MethodSource("secretKeys")
    void aSecretInAFileThatDoesNotLoadIsNotShown(String key, @TempDir Path dir) throws Exception {
        int i = SECRET_KEYS.indexOf(key);
        Path quoted = file(dir, key + " = \"" + secret(i) + "\" [1]\n");
        assertThatThrownBy(() -> ServerConfig.load(quoted))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot concatenate")
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
        Path unquoted = file(dir, key + " = " + secret(i) + " { x = 1 }\n");
        assertThatThrownBy(() -> ServerConfig.load(unquoted))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
    }

    @Test
    void aSecretKeyWithAValueOfTheWrongTypeIsNamedNotShown(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(
                        file(dir, "spark.jobserver.sqldao.jdbc.password { x = \"" + secret(0) + "\" }\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "spark.jobserver.sqldao.jdbc.password: invalid value (not shown: the key holds a secret)")
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
        Path keystore = Files.createFile(dir.resolve("keystore.p12"));
        Config tls = Configs.load(file(dir, """
                akka.http.server {
                  ssl-encryption = on
                  keystore = "%s"
                  keystorePW = [ "%s" ]
                  truststore = "%s"
                  truststorePW { a = "%s" }
                }
                """.formatted(keystore, secret(2), keystore, secret(3))));
        assertThatThrownBy(() -> TlsSettings.from(tls))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("akka.http.server.keystorePW: invalid value (not shown")
                .hasMessageContaining("akka.http.server.truststorePW: invalid value (not shown")
                .satisfies(e -> assertNoSecretIn(e.getMessage()));
    }
}
