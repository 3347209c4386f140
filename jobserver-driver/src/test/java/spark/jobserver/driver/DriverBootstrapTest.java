package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/** A driver asks a real (local) HTTP server for its configuration, proving itself as for any request. */
class DriverBootstrapTest {
    private static final String SECRET = "s3cret";
    private static final String CONFIG = """
            driver {
              context-id = "ctx-1"
              context-name = "c"
              server-http-url = "http://127.0.0.1:1"
              server-ws-url = "ws://127.0.0.1:1/driver/ws"
              max-jobs = 3
              binary-cache-dir = "binaries"
            }
            context-settings { num-cpu-cores = 2 }
            job-config-fallback { a = 1 }
            """;

    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(exchange.getRequestURI().getRawPath() + " "
                    + exchange.getRequestHeaders().getFirst(DriverLaunch.AUTH_HEADER));
            byte[] body = (status == 200 ? CONFIG : "{\"status\":\"ERROR\",\"result\":\"no\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private DriverConfig fetch(URI url, Duration patience) {
        return new DriverBootstrap(HttpClient.newHttpClient(), Clock.systemUTC()).fetch(url, "ctx-1", SECRET, patience);
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Test
    void theDriverGetsItsConfigurationFromTheServerWithASignedRequest() {
        DriverConfig config = fetch(url(), Duration.ofSeconds(5));
        assertThat(config.contextId()).isEqualTo("ctx-1");
        assertThat(config.maxJobs()).isEqualTo(3);
        assertThat(config.contextSettings().getInt("num-cpu-cores")).isEqualTo(2);
        assertThat(config.binaryCacheDir())
                .isEqualTo(java.nio.file.Path.of("binaries").toAbsolutePath());
        String path = "/driver/contexts/ctx-1/config";
        assertThat(authorizations).containsExactly(path + " ctx-1:" + DriverAuth.mac(SECRET, path));
    }

    @Test
    void aRefusalIsFinal() {
        status = 403;
        assertThatThrownBy(() -> fetch(url(), Duration.ofMinutes(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refused")
                .hasMessageContaining("403");
        assertThat(authorizations).hasSize(1);
    }

    @Test
    void aServerThatStaysUnreachableFailsTheStartAfterThePatience() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertThatThrownBy(() -> fetch(URI.create("http://127.0.0.1:" + closed), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stayed unreachable");
    }
}
