package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.it.TestingJobServer.Reply;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Messages;

/**
 * The drivers' dial-back as an attacker sees it, with a hand-made WebSocket client: a process without
 * the context's secret is refused, a captured Authenticate replayed on a new connection is refused, and
 * the database holds only a verifier, with which the real driver still re-attaches after a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriverAuthIT {
    static TestingJobServer server;
    static String contextId;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("auth-examples");
        server.createContext("authctx", "");
        contextId = server.get("/contexts/authctx").json().path("id").asText();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** One WebSocket connection to the drivers' endpoint, recording what the server sends and how it closes. */
    static final class Probe implements WebSocket.Listener {
        final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        Probe() throws Exception {
            String ws = server.baseUrl().replace("http://", "ws://") + DriverLaunch.WEBSOCKET_PATH;
            socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(URI.create(ws), this)
                    .get(30, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        String challenge() throws Exception {
            String frame = frames.poll(30, TimeUnit.SECONDS);
            assertThat(frame).as("a challenge").isNotNull();
            return ((Message.Challenge) Messages.fromJson(frame)).nonce();
        }

        void send(Message message) {
            socket.sendText(Messages.toJson(message), true).join();
        }

        int closeCode() throws Exception {
            return closed.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void aProcessWithoutTheSecretIsRefused() throws Exception {
        Probe guess = new Probe();
        guess.challenge();
        guess.send(new Message.Authenticate(contextId, DriverAuth.mac(DriverAuth.randomToken(), "anything")));
        assertThat(guess.closeCode()).isEqualTo(1008);

        Probe unknown = new Probe();
        String nonce = unknown.challenge();
        unknown.send(new Message.Authenticate(
                "no-such-context", DriverAuth.mac(DriverAuth.newCredentials().secret(), nonce)));
        assertThat(unknown.closeCode()).isEqualTo(1008);

        Probe skipping = new Probe();
        skipping.challenge();
        skipping.send(new Message.Heartbeat(System.currentTimeMillis(), java.util.List.of()));
        assertThat(skipping.closeCode()).isEqualTo(1008);

        Probe garbage = new Probe();
        garbage.challenge();
        garbage.socket.sendText("{not json", true).join();
        assertThat(garbage.closeCode()).isEqualTo(1003);

        assertThat(server.get("/contexts/authctx").json().path("state").asText())
                .isEqualTo("RUNNING");
    }

    @Test
    @Order(2)
    void aReplayedAuthenticateIsRefused() throws Exception {
        String secret = driverSecret();
        assertThat(secret).startsWith("ed25519:");
        // what an eavesdropper could have captured: a valid answer to one connection's challenge
        Probe first = new Probe();
        Message.Authenticate captured = new Message.Authenticate(contextId, DriverAuth.mac(secret, first.challenge()));
        first.socket.abort();

        Probe replay = new Probe();
        replay.challenge();
        replay.send(captured);
        assertThat(replay.closeCode()).isEqualTo(1008);
        // the real driver was never disturbed
        Reply job = server.post(
                "/jobs?appName=auth-examples&classPath=spark.jobserver.WordCountExample&context=authctx"
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(job.status()).as(job.toString()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void theDatabaseHoldsOnlyAVerifierAndTheDriverStillReattaches() throws Exception {
        String secret = driverSecret();
        server.stopServer();
        String stored;
        String url = "jdbc:h2:file:" + server.root().resolve("sqldao/data/h2-db");
        try (Connection db = DriverManager.getConnection(url, "", "");
                PreparedStatement query = db.prepareStatement("SELECT secret FROM contexts WHERE id = ?")) {
            query.setString(1, contextId);
            try (ResultSet rs = query.executeQuery()) {
                assertThat(rs.next()).isTrue();
                stored = rs.getString(1);
            }
        }
        assertThat(stored).startsWith("ed25519-pub:").isNotEqualTo(secret);
        assertThat(stored).doesNotContain(secret.substring("ed25519:".length()));
        // with only what the database holds, nobody can answer a challenge
        assertThat(DriverAuth.verify(stored, "nonce", DriverAuth.mac(stored, "nonce")))
                .isFalse();

        server.startAgain();
        Reply job = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            job = server.post(
                    "/jobs?appName=auth-examples&classPath=spark.jobserver.WordCountExample&context=authctx"
                            + "&sync=true&timeout=60",
                    "input.string = c c");
            if (job.status() != 503 && job.status() != 404) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(job).isNotNull();
        assertThat(job.status()).as(job.toString()).isEqualTo(200);
    }

    /** The secret the launcher gave the driver, from its environment (readable by the same user). */
    private static String driverSecret() throws Exception {
        ProcessHandle driver = server.driverProcess(contextId).orElseThrow();
        byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(driver.pid()), "environ"));
        for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
            if (entry.startsWith(DriverLaunch.SECRET_ENV + "=")) {
                return entry.substring(DriverLaunch.SECRET_ENV.length() + 1);
            }
        }
        throw new AssertionError("no secret in the driver's environment");
    }
}
