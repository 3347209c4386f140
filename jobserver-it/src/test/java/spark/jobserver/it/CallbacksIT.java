package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code callbackUrl}: the server POSTs each job's final JSON to a real HTTP receiver, retries failed
 * deliveries, gives up after the configured attempts, and never holds up the job. One shared context.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallbacksIT {
    private static final String CTX = "callback-ctx";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestingJobServer server;
    private static CallbackReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new CallbackReceiver();
        server = TestingJobServer.start("""
                spark.jobserver.callback { retry-delay = 200ms, retry-backoff = 2.0, max-attempts = 3, timeout = 5s }
                """);
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
    }

    private static String job(String classPath, String callbackPath, String extra) {
        return "/jobs?appName=test&classPath=" + classPath + "&context=" + CTX + "&callbackUrl="
                + URLEncoder.encode(receiver.url(callbackPath), StandardCharsets.UTF_8) + extra;
    }

    @Test
    @Order(1)
    void aFinishedJobPostsItsResult() {
        var reply = server.post(
                job("spark.jobserver.WordCountExample", "/ok", "&sync=true&timeout=60"), "input.string = a b a");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String jobId = reply.json().get("jobId").asText();

        CallbackReceiver.Call call = receiver.next(WAIT);
        assertThat(call.path()).isEqualTo("/ok");
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.contentType()).startsWith("application/json");
        assertThat(call.body().toString()).isEqualTo("{\"jobId\":\"" + jobId + "\",\"result\":{\"a\":2,\"b\":1}}");
    }

    @Test
    @Order(2)
    void aFailedJobPostsTheErrorEnvelope() {
        var reply = server.post(job("spark.jobserver.MyErrorJob", "/failed", ""), "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
        String jobId = reply.json().get("jobId").asText();

        CallbackReceiver.Call call = receiver.next(WAIT);
        assertThat(call.path()).isEqualTo("/failed");
        assertThat(call.body().get("jobId").asText()).isEqualTo(jobId);
        assertThat(call.body().get("status").asText()).isEqualTo("ERROR");
        assertThat(call.body().get("result").get("message").asText()).isEqualTo("Foobar");
        assertThat(call.body().get("result").get("errorClass").asText())
                .isEqualTo("java.lang.IllegalArgumentException");
    }

    @Test
    @Order(3)
    void aValidationFailurePostsTheErrorEnvelopeToo() {
        var reply = server.post(job("spark.jobserver.WordCountExample", "/invalid", ""), "no.input = here");
        assertThat(reply.status()).isEqualTo(400);

        CallbackReceiver.Call call = receiver.next(WAIT);
        assertThat(call.path()).isEqualTo("/invalid");
        assertThat(call.body().get("status").asText()).isEqualTo("ERROR");
        assertThat(call.body().get("result").get("message").asText()).contains("No input.string config param");
    }

    @Test
    @Order(4)
    void aKilledJobPostsItsKilledStatus() {
        var started = server.post(job("spark.jobserver.SleepJob", "/killed", ""), "sleep.time.millis = 60000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        assertThat(server.delete("/jobs/" + jobId).status()).isEqualTo(200);

        CallbackReceiver.Call call = receiver.next(WAIT);
        assertThat(call.path()).isEqualTo("/killed");
        assertThat(call.body().get("jobId").asText()).isEqualTo(jobId);
        assertThat(call.body().get("status").asText()).isEqualTo("KILLED");
        assertThat(call.body().get("result").get("message").asText()).isEqualTo("Job " + jobId + " killed");
    }

    @Test
    @Order(5)
    void failedDeliveriesAreRetried() {
        receiver.failFirst("/flaky", 503, 2);
        var reply = server.post(job("spark.jobserver.NoOpJob", "/flaky", "&sync=true&timeout=60"), "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);

        for (int attempt = 1; attempt <= 3; attempt++) {
            CallbackReceiver.Call call = receiver.next(WAIT);
            assertThat(call.path()).as("attempt " + attempt).isEqualTo("/flaky");
            assertThat(call.body().get("result").asInt()).isEqualTo(1);
        }
    }

    @Test
    @Order(6)
    void deliveryIsAbandonedAfterTheLastAttemptAndNeverHoldsUpTheJob() {
        receiver.failFirst("/down", 500, 100);
        var reply = server.post(job("spark.jobserver.NoOpJob", "/down", "&sync=true&timeout=60"), "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String jobId = reply.json().get("jobId").asText();
        assertThat(server.get("/jobs/" + jobId).json().get("status").asText()).isEqualTo("FINISHED");

        for (int attempt = 1; attempt <= 3; attempt++) {
            assertThat(receiver.next(WAIT).path()).isEqualTo("/down");
        }
        // a fourth attempt would follow the third after 800 ms (200 ms, doubled after each attempt)
        receiver.expectNone(Duration.ofSeconds(3));
    }

    @Test
    @Order(7)
    void anUnreachableReceiverDoesNotHoldUpTheJob() {
        // a port nobody listens on: every attempt fails to connect
        String nowhere = URLEncoder.encode("http://127.0.0.1:9/nowhere", StandardCharsets.UTF_8);
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX
                        + "&sync=true&timeout=60&callbackUrl=" + nowhere,
                "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").asInt()).isEqualTo(1);
    }

    @Test
    @Order(8)
    void aCallbackUrlThatIsNotHttpIsRefused() {
        for (String bad : new String[] {"ftp://example.com/x", "not a url", "file:/tmp/x", "/relative"}) {
            var reply = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX + "&callbackUrl="
                            + URLEncoder.encode(bad, StandardCharsets.UTF_8),
                    "");
            assertThat(reply.status()).as(bad + ": " + reply).isEqualTo(400);
            assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
            assertThat(reply.json().get("result").asText()).startsWith("Invalid callbackUrl '" + bad + "'");
        }
        assertThat(receiver.drain()).isEmpty();
    }

    @Test
    @Order(9)
    void theCallbackUrlIsStoredWithTheJobAndSurvivesARestart() {
        var started = server.post(job("spark.jobserver.SleepJob", "/after-restart", ""), "sleep.time.millis = 3000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        server.restart();

        CallbackReceiver.Call call = receiver.next(Duration.ofSeconds(120));
        assertThat(call.path()).isEqualTo("/after-restart");
        assertThat(call.body().get("jobId").asText()).isEqualTo(jobId);
        assertThat(call.body().get("result").asInt()).isEqualTo(3000);
    }
}
