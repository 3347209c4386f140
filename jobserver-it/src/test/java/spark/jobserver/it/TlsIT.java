package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTPS from a PKCS#12 keystore without client certificates (the allow-all provider): real handshakes,
 * TLS 1.2 and 1.3 only, and the configuration errors a wrong keystore gives.
 */
class TlsIT {
    static TlsKeys keys;
    static TestingJobServer server;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        keys = TlsKeys.make(Files.createTempDirectory("tls"));
        server = TestingJobServer.start("akka.http.server {\n"
                + "  ssl-encryption = on\n"
                + "  keystore = \"" + keys.path("server.p12") + "\"\n"
                + "  keystorePW = " + TlsKeys.PASSWORD + "\n"
                + "  keystoreType = PKCS12\n"
                + "}\n");
        port = java.net.URI.create(server.baseUrl()).getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (keys != null) {
            keys.delete();
        }
    }

    @Test
    void servesHttpsWithoutClientCertificates() {
        SecureClient https = SecureClient.to("https://127.0.0.1:" + port, keys.clientContext(null));
        assertThat(https.get("/healthz").status()).isEqualTo(200);
        assertThat(https.get("/binaries").json().isObject()).isTrue();
        // the host name is checked by the client against the certificate's names
        SecureClient byName = SecureClient.to("https://localhost:" + port, keys.clientContext(null));
        assertThat(byName.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void negotiatesTls12OrNewerOnly() throws Exception {
        try (SSLSocket socket =
                (SSLSocket) keys.clientContext(null).getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        // The JDK client refuses to offer TLS 1.1 itself; OpenSSL can, so the refusal is the server's.
        assumeThat(Files.isExecutable(Path.of("/usr/bin/openssl")))
                .as("openssl installed")
                .isTrue();
        assertThat(openssl("-tls1_2")).as("TLS 1.2 handshake").isZero();
        assertThat(openssl("-tls1_1")).as("TLS 1.1 handshake").isNotZero();
        assertThat(openssl("-tls1")).as("TLS 1.0 handshake").isNotZero();
    }

    private static int openssl(String protocol) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "/usr/bin/openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                protocol,
                "-cipher",
                "DEFAULT:@SECLEVEL=0"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    @Test
    void aWrongKeystorePasswordStopsTheServerFromStartingWithAClearMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestingJobServer.start("akka.http.server {\n"
                                + "  ssl-encryption = on\n"
                                + "  keystore = \"" + keys.path("server.p12") + "\"\n"
                                + "  keystorePW = wrong\n"
                                + "  keystoreType = PKCS12\n"
                                + "}\n")
                        .close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keystore")
                .hasMessageNotContaining("wrong");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> TestingJobServer.start("akka.http.server.ssl-encryption = on\n")
                                .close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("akka.http.server.keystore is required");
    }
}
