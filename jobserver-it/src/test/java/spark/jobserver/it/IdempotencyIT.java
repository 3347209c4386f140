package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Safe retries with {@code Idempotency-Key} (docs/retries.md), as a client sees them: a repeat answers the first
 * answer and starts nothing. One context (one driver JVM) for the class, created with a key.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdempotencyIT {
    private static final String CTX = "idem-ctx";
    private static final String JOBS = "/jobs?appName=test&context=" + CTX + "&classPath=";
    private static final String KEY = "Idempotency-Key";
    private static TestingJobServer server;
    private static TestingJobServer.Reply contextCreated;
    private static String contextKey;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        contextKey = key();
        contextCreated = server.send("POST", "/contexts/" + CTX, "", KEY, contextKey);
        assertThat(contextCreated.status()).as(contextCreated.toString()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String key() {
        return UUID.randomUUID().toString();
    }

    private static TestingJobServer.Reply post(String path, String body, String key) {
        return server.send("POST", path, body, KEY, key, "Content-Type", "text/plain");
    }

    private static int jobCount() {
        return server.get("/jobs?limit=1000").json().size();
    }

    @Test
    void aRepeatedAsyncJobIsOneJob() {
        String key = key();
        int before = jobCount();
        var first = post(JOBS + "spark.jobserver.WordCountExample", "input.string = a b a", key);
        var again = post(JOBS + "spark.jobserver.WordCountExample", "input.string = a b a", key);
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(first.header("Idempotent-Replayed")).isEmpty();
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(again.json().get("jobId").asText())
                .isEqualTo(first.json().get("jobId").asText());
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(jobCount()).isEqualTo(before + 1);
        server.await(
                "/jobs/" + first.json().get("jobId").asText(),
                r -> r.json().get("status").asText().equals("FINISHED"),
                Duration.ofSeconds(30));
    }

    @Test
    void aRepeatedSyncJobAnswersTheSameResult() {
        String key = key();
        String path = JOBS + "spark.jobserver.WordCountExample&sync=true&timeout=60";
        var first = post(path, "input.string = x y x", key);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");
        int jobs = jobCount();
        var again = post(path, "input.string = x y x", key);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void aRepeatedContextCreationAnswersTheFirstAnswerAndStartsNoDriver() {
        var again = server.send("POST", "/contexts/" + CTX, "", KEY, contextKey);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(contextCreated.body()).contains("Context initialized");
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        // without the key, the same request is refused: the context exists (one driver)
        var plain = server.post("/contexts/" + CTX, "");
        assertThat(plain.status()).isNotEqualTo(200);
        assertThat(plain.header("Idempotent-Replayed")).isEmpty();
        assertThat(server.get("/contexts").json().toString()).isEqualTo("[\"" + CTX + "\"]");
    }

    @Test
    void aRepeatedUploadIsStoredOnce() throws Exception {
        String key = key();
        byte[] jar = Files.readAllBytes(TestingJobServer.examplesJar());
        var first = server.post("/binaries/idem-app", jar, "application/java-archive", KEY, key);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        String uploaded =
                server.get("/binaries/idem-app").json().get("upload-time").asText();
        var again = server.post("/binaries/idem-app", jar, "application/java-archive", KEY, key);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).hasValue("true");
        assertThat(server.get("/binaries/idem-app").json().get("upload-time").asText())
                .isEqualTo(uploaded);
        // another archive under the same key is another request
        var other =
                server.post("/binaries/idem-app", new byte[] {'P', 'K', 5, 6}, "application/java-archive", KEY, key);
        assertThat(other.status()).isEqualTo(422);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() {
        String key = key();
        assertThat(post(JOBS + "spark.jobserver.NoOpJob&sync=true&timeout=60", "a = 1", key)
                        .status())
                .isEqualTo(200);
        int jobs = jobCount();
        var reused = post(JOBS + "spark.jobserver.NoOpJob&sync=true&timeout=60", "a = 2", key);
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(reused.json().get("result").asText()).startsWith("Idempotency-Key reused with a different request");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    void aRepeatWhileTheFirstRunsIs409() throws Exception {
        String key = key();
        String path = JOBS + "spark.jobserver.SleepJob&sync=true&timeout=60";
        CompletableFuture<TestingJobServer.Reply> first =
                CompletableFuture.supplyAsync(() -> post(path, "sleep.time.millis = 3000", key));
        server.await(
                "/jobs?status=RUNNING",
                r -> r.json().toString().contains("spark.jobserver.SleepJob"),
                Duration.ofSeconds(30));
        var during = post(path, "sleep.time.millis = 3000", key);
        assertThat(during.status()).as(during.toString()).isEqualTo(409);
        assertThat(during.header("Retry-After")).hasValue("1");
        assertThat(during.json().get("result").asText())
                .startsWith("A request with this Idempotency-Key is in progress");
        var answer = first.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        var after = post(path, "sleep.time.millis = 3000", key);
        assertThat(after.body()).isEqualTo(answer.body());
        assertThat(after.header("Idempotent-Replayed")).hasValue("true");
    }

    @Test
    void aMalformedKeyIs400() {
        var reply = post(JOBS + "spark.jobserver.NoOpJob", "", "x".repeat(256));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(reply.json().get("result").asText()).startsWith("Invalid Idempotency-Key: ");
    }

    /**
     * On a server of its own (no context) with a short window; last, since the harness's close ends every driver
     * JVM of the test's process, the shared context's too.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aKeyReusedAfterTheWindowRunsAgain() throws Exception {
        try (TestingJobServer shortWindow = TestingJobServer.start("spark.jobserver.idempotency.window = 2s")) {
            String key = key();
            byte[] jar = Files.readAllBytes(TestingJobServer.examplesJar());
            assertThat(shortWindow
                            .post("/binaries/app", jar, "application/java-archive", KEY, key)
                            .status())
                    .isEqualTo(201);
            assertThat(shortWindow
                            .post("/binaries/app", jar, "application/java-archive", KEY, key)
                            .header("Idempotent-Replayed"))
                    .hasValue("true");
            TimeUnit.MILLISECONDS.sleep(2100); // the window passing is what is tested
            var later = shortWindow.post("/binaries/app", jar, "application/java-archive", KEY, key);
            assertThat(later.status()).isEqualTo(201);
            assertThat(later.header("Idempotent-Replayed")).isEmpty();
        }
    }
}
