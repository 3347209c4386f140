package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.server.config.Configs;

class TlsSettingsTest {

    private static Config config(String akkaHttpServer) {
        return Configs.load(null, ConfigFactory.parseString("akka.http.server { " + akkaHttpServer + " }"));
    }

    /** An empty PKCS12 store: enough to check that it is read with its password. */
    private static Path store(Path dir, String name, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    @Test
    void offByDefault() {
        assertThat(TlsSettings.from(config(""))).isEmpty();
    }

    @Test
    void sslEncryptionMustBeOnOrOff() {
        assertThatThrownBy(() -> TlsSettings.from(config("ssl-encryption = maybe")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("akka.http.server.ssl-encryption: must be on or off");
    }

    @Test
    void everyProblemIsReportedAtOnce(@TempDir Path dir) {
        assertThatThrownBy(() -> TlsSettings.from(config("""
                        ssl-encryption = on
                        keystoreType { x = 1 }
                        truststore = "%s"
                        provider = [1, 2]
                        """.formatted(dir.resolve("missing.jks")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid HTTPS configuration (akka.http.server):")
                .hasMessageContaining("akka.http.server.keystore is required when ssl-encryption is on")
                .hasMessageContaining("akka.http.server.keystoreType")
                .hasMessageContaining("akka.http.server.truststore: cannot read " + dir.resolve("missing.jks"))
                .hasMessageContaining("akka.http.server.provider");
    }

    @Test
    void aKeystoreOfTheWrongTypeIsOneProblem() {
        assertThatThrownBy(() -> TlsSettings.from(config("ssl-encryption = on, keystore { y = 2 }")))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(List.of(e.getMessage().split("\n  - ")))
                        .containsExactly(
                                "Invalid HTTPS configuration (akka.http.server):",
                                "String: 1: akka.http.server.keystore has type OBJECT rather than STRING"));
    }

    @Test
    void readsTheStoresWithTheirPasswords(@TempDir Path dir) throws Exception {
        Path keystore = store(dir, "server.p12", "Zq-key-pw");
        Path truststore = store(dir, "trust.p12", "Zq-trust-pw");
        TlsSettings tls =
                TlsSettings.from(config("""
                        ssl-encryption = on
                        keystore = "%s"
                        keystorePW = "Zq-key-pw"
                        keystoreType = PKCS12
                        truststore = "%s"
                        truststorePW = "Zq-trust-pw"
                        truststore-type = PKCS12
                        """.formatted(keystore, truststore))).orElseThrow();
        assertThat(tls.keystore()).isEqualTo(keystore);
        assertThat(tls.clientAuth()).isTrue();
        assertThat(tls.protocol()).isEqualTo("TLS");
        assertThat(tls.toString()).doesNotContain("Zq-");
    }

    @Test
    void wrongPasswordsOfBothStoresAreReportedWithoutThem(@TempDir Path dir) throws Exception {
        Path keystore = store(dir, "server.p12", "right-key-pw");
        Path truststore = store(dir, "trust.p12", "right-trust-pw");
        assertThatThrownBy(() -> TlsSettings.from(config("""
                        ssl-encryption = on
                        keystore = "%s"
                        keystorePW = "Zq-wrong-key-pw"
                        keystoreType = PKCS12
                        truststore = "%s"
                        truststorePW = "Zq-wrong-trust-pw"
                        truststore-type = PKCS12
                        """.formatted(keystore, truststore))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("akka.http.server.keystore: cannot read the keystore")
                .hasMessageContaining("akka.http.server.truststore: cannot read the truststore")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Zq-"));
    }
}
