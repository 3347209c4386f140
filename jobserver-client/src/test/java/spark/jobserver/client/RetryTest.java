package spark.jobserver.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The retry rules, against a scripted HTTP server: a real job server cannot be made to answer 503, 429 or a
 * dropped connection on demand. Everything else is tested against the real server (ClientIT).
 */
class RetryTest {
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(2));

    private HttpServer server;
    private final List<Map<String, String>> requests = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Answer> script = new ArrayDeque<>();

    record Answer(int status, String body, String retryAfter) {}

    private String start(Answer... answers) throws IOException {
        script.addAll(List.of(answers));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        requests.add(Map.of(
                "request",
                exchange.getRequestMethod() + " " + exchange.getRequestURI(),
                "key",
                String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key"))));
        Answer answer = script.isEmpty()
                ? new Answer(500, "{\"status\":\"ERROR\",\"result\":\"unscripted\"}", null)
                : script.poll();
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static final String NO_SLOTS =
            "{\"status\":\"NO SLOTS AVAILABLE\",\"result\":\"Too many running jobs (8) for job context 'c'\"}";
    private static final String STARTED = "{\"jobId\":\"j1\",\"startTime\":\"t\",\"classPath\":\"C\",\"context\":\"c\","
            + "\"contextId\":\"i\",\"duration\":\"Job not done yet\",\"status\":\"STARTED\"}";

    @Test
    void aJobIsSentAgainAfter503WithTheSameKey() throws Exception {
        String url = start(new Answer(503, NO_SLOTS, "0"), new Answer(429, "{}", "0"), new Answer(202, STARTED, null));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        JobReport report = client.submitJob(JobRequest.of("app", "C").context("c"));

        assertThat(report.jobId()).isEqualTo("j1");
        assertThat(requests).hasSize(3);
        assertThat(requests)
                .extracting(r -> r.get("request"))
                .containsOnly("POST /jobs?appName=app&classPath=C&context=c");
        String key = requests.get(0).get("key");
        assertThat(key).isNotEqualTo("null");
        assertThat(requests).extracting(r -> r.get("key")).containsOnly(key);
    }

    @Test
    void eachCallHasAKeyOfItsOwn() throws Exception {
        String url = start(new Answer(202, STARTED, null), new Answer(202, STARTED, null));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        client.submitJob(JobRequest.of("app", "C"));
        client.submitJob(JobRequest.of("app", "C"));

        assertThat(requests.get(0).get("key")).isNotEqualTo(requests.get(1).get("key"));
    }

    @Test
    void afterTheLastAttemptTheErrorCarriesTheServersAnswer() throws Exception {
        String url =
                start(new Answer(503, NO_SLOTS, "0"), new Answer(503, NO_SLOTS, "0"), new Answer(503, NO_SLOTS, "1"));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThatThrownBy(() -> client.submitJob(JobRequest.of("app", "C")))
                .isInstanceOfSatisfying(UnavailableException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.status()).isEqualTo("NO SLOTS AVAILABLE");
                    assertThat(e.serverMessage()).isEqualTo("Too many running jobs (8) for job context 'c'");
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
                });
        assertThat(requests).hasSize(3);
    }

    @Test
    void aRetryAfterLongerThanTheLongestBackoffEndsTheRetries() throws Exception {
        String url = start(new Answer(503, NO_SLOTS, "3600"));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThatThrownBy(() -> client.submitJob(JobRequest.of("app", "C")))
                .isInstanceOfSatisfying(
                        UnavailableException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofHours(1)));
        assertThat(requests).hasSize(1);
    }

    @Test
    void aKeyInProgressIsAskedAgain() throws Exception {
        String url = start(
                new Answer(
                        409,
                        "{\"status\":\"ERROR\",\"result\":\"A request with this Idempotency-Key is in progress\"}",
                        "0"),
                new Answer(200, "{\"status\":\"SUCCESS\",\"result\":\"Context initialized\"}", null));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThat(client.createContext("c", Map.of("num-cpu-cores", "2"))).isEqualTo("Context initialized");
        assertThat(requests).extracting(r -> r.get("request")).containsOnly("POST /contexts/c?num-cpu-cores=2");
        assertThat(requests.get(0).get("key")).isEqualTo(requests.get(1).get("key"));
    }

    @Test
    void aConflictWithoutRetryAfterIsNotRetried() throws Exception {
        String url = start(new Answer(409, "{\"status\":\"ERROR\",\"result\":\"Context stop in progress\"}", null));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThatThrownBy(() -> client.submitJob(JobRequest.of("app", "C").context("c")))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("Context stop in progress");
        assertThat(requests).hasSize(1);
    }

    @Test
    void callsWithoutAKeyAreSentOnce() throws Exception {
        String url = start(new Answer(503, "{\"status\":\"ERROR\",\"result\":\"busy\"}", "0"));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThatThrownBy(() -> client.killJob("j1")).isInstanceOf(UnavailableException.class);
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("key")).isEqualTo("null");
    }

    @Test
    void aGetIsSentAgain() throws Exception {
        String url = start(
                new Answer(503, "{\"status\":\"ERROR\",\"result\":\"busy\"}", "0"), new Answer(200, "[\"a\"]", null));
        JobServerClient client = JobServerClient.builder(url).retryPolicy(FAST).build();

        assertThat(client.listContexts()).containsExactly("a");
        assertThat(requests).hasSize(2);
    }

    /** A server that closes the first connection without a word, then answers. */
    @Test
    void aDroppedConnectionIsRetriedWithTheSameKey() throws Exception {
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(
                    () -> {
                        try {
                            for (int i = 0; i < 2; i++) {
                                try (Socket connection = socket.accept()) {
                                    String request = readHead(connection);
                                    keys.add(request.lines()
                                            .filter(l -> l.toLowerCase().startsWith("idempotency-key:"))
                                            .findFirst()
                                            .orElse("none"));
                                    if (i == 1) {
                                        byte[] body = STARTED.getBytes(StandardCharsets.UTF_8);
                                        connection
                                                .getOutputStream()
                                                .write(("HTTP/1.1 202 Accepted\r\n"
                                                                + "Content-Type: application/json\r\nContent-Length: "
                                                                + body.length
                                                                + "\r\nConnection: close\r\n\r\n")
                                                        .getBytes(StandardCharsets.UTF_8));
                                        connection.getOutputStream().write(body);
                                    }
                                }
                            }
                        } catch (IOException e) {
                            // the test fails on its own assertions
                        }
                    },
                    "retry-test-acceptor");
            acceptor.start();
            JobServerClient client = JobServerClient.builder("http://127.0.0.1:" + socket.getLocalPort())
                    .retryPolicy(FAST)
                    .build();

            assertThat(client.submitJob(JobRequest.of("app", "C")).jobId()).isEqualTo("j1");
            acceptor.join();
        }
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).startsWith("Idempotency-Key:").isEqualToIgnoringCase(keys.get(1));
    }

    @Test
    void aDataUploadIsNotRetriedAfterADroppedConnection() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(
                    () -> {
                        try (Socket connection = socket.accept()) {
                            readHead(connection);
                        } catch (IOException e) {
                            // the client sees the drop
                        }
                    },
                    "retry-test-acceptor");
            acceptor.start();
            java.nio.file.Path file = java.nio.file.Files.createTempFile("data", ".txt");
            java.nio.file.Files.writeString(file, "a b c");
            JobServerClient client = JobServerClient.builder("http://127.0.0.1:" + socket.getLocalPort())
                    .retryPolicy(FAST)
                    .build();

            assertThatThrownBy(() -> client.uploadDataFile("words", file))
                    .isInstanceOf(JobServerConnectionException.class)
                    .hasMessageContaining("POST /data/words");
            acceptor.join();
        }
    }

    private static String readHead(Socket connection) throws IOException {
        StringBuilder head = new StringBuilder();
        var in = connection.getInputStream();
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            if (head.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }

    @Test
    void retryAfterIsReadInSecondsOrAsADate() {
        assertThat(JobServerClient.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(JobServerClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
                .isEqualTo(Duration.ZERO);
        assertThat(JobServerClient.parseRetryAfter("soon")).isNull();
    }

    @Test
    void theBackoffDoublesUpToItsLimit() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(500));
        assertThat(List.of(policy.backoff(1), policy.backoff(2), policy.backoff(3), policy.backoff(4)))
                .containsExactly(
                        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500));
    }
}
