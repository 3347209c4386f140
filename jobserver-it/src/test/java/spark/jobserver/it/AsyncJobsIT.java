package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Async jobs, kill, slots, sync timeouts, ad-hoc contexts and Java jobs. */
class AsyncJobsIT {
    private static final String CTX = "java-ctx";
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("""
                spark.jobserver.max-jobs-per-context = 2
                db-password = "hunter2"
                """);
        server.uploadExamples("test");
        server.createContext(CTX, "context-factory=spark.jobserver.context.JavaSparkContextFactory");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String startAsync(String classPath, String config) {
        var reply = server.post("/jobs?appName=test&classPath=" + classPath + "&context=" + CTX, config);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
        assertThat(reply.json().get("status").asText()).isEqualTo("STARTED");
        assertThat(reply.json().get("duration").asText()).isEqualTo("Job not done yet");
        return reply.json().get("jobId").asText();
    }

    @Test
    void asyncJobRunsToFinished() {
        String jobId = startAsync("spark.jobserver.WordCountExample", "input.string = a b a");
        JsonNode job = server.await(
                        "/jobs/" + jobId,
                        r -> r.json().get("status").asText().equals("FINISHED"),
                        Duration.ofSeconds(30))
                .json();
        assertThat(job.get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(server.get("/jobs/" + jobId + "/config")
                        .json()
                        .get("input")
                        .get("string")
                        .asText())
                .isEqualTo("a b a");
    }

    @Test
    void longPiJobIsKilled() {
        String jobId = startAsync("spark.jobserver.LongPiJob", "stress.test.longpijob.duration = 60");
        server.await("/jobs/" + jobId, r -> r.json().get("status").asText().equals("RUNNING"), Duration.ofSeconds(10));
        var kill = server.delete("/jobs/" + jobId);
        assertThat(kill.status()).isEqualTo(200);
        assertThat(kill.json().toString()).isEqualTo("{\"status\":\"KILLED\"}");
        JsonNode job = server.get("/jobs/" + jobId).json();
        assertThat(job.get("status").asText()).isEqualTo("KILLED");
        assertThat(job.get("result").get("message").asText()).isEqualTo("Job " + jobId + " killed");
        var again = server.delete("/jobs/" + jobId);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("result").asText()).isEqualTo("No running job with ID " + jobId);
        assertThat(server.delete("/jobs/nope").json().get("result").asText()).isEqualTo("No such job ID nope");
        // the context still works
        var after = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX + "&sync=true&timeout=60", "");
        assertThat(after.status()).isEqualTo(200);
    }

    @Test
    void slotsAreLimitedAndSyncTimeoutLeavesTheJobRunning() {
        String a = startAsync("spark.jobserver.SleepJob", "sleep.time.millis = 3000");
        String b = startAsync("spark.jobserver.SleepJob", "sleep.time.millis = 3000");
        var third = server.post("/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX, "");
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.json().get("status").asText()).isEqualTo("NO SLOTS AVAILABLE");
        assertThat(third.json().get("result").asText())
                .isEqualTo("Too many running jobs (2) for job context '" + CTX + "'");
        for (String id : new String[] {a, b}) {
            server.await(
                    "/jobs/" + id, r -> r.json().get("status").asText().equals("FINISHED"), Duration.ofSeconds(30));
        }

        var timedOut = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + CTX + "&sync=true&timeout=1",
                "sleep.time.millis = 3000");
        assertThat(timedOut.status()).isEqualTo(500);
        assertThat(timedOut.json().get("result").get("errorClass").asText())
                .isEqualTo("akka.pattern.AskTimeoutException");
        JsonNode running = server.get("/jobs?status=RUNNING").json();
        assertThat(running).isNotEmpty();
        String id = running.get(0).get("jobId").asText();
        JsonNode done = server.await(
                        "/jobs/" + id, r -> r.json().get("status").asText().equals("FINISHED"), Duration.ofSeconds(30))
                .json();
        assertThat(done.get("result").asLong()).isEqualTo(3000);
    }

    @Test
    void javaJobs() {
        var hello = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.JavaHelloWorldJob&context=" + CTX
                        + "&sync=true&timeout=60",
                "");
        assertThat(hello.status()).as(hello.toString()).isEqualTo(200);
        assertThat(hello.json().get("result").asText()).isEqualTo("Hi!");
        var failing = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.FailingJavaJob&context=" + CTX + "&sync=true&timeout=60",
                "");
        assertThat(failing.status()).isEqualTo(400);
        assertThat(failing.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(failing.json().get("result").get("message").asText()).isEqualTo("fail");
    }

    @Test
    void jobsSeeTheServerConfigWithoutSecrets() {
        var keys = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.ConfigCheckerJob&context=" + CTX
                        + "&sync=true&timeout=60",
                "my.own.key = 1");
        assertThat(keys.status()).isEqualTo(200);
        assertThat(keys.json().get("result"))
                .extracting(JsonNode::asText)
                .contains("spark", "my")
                .doesNotContain("db-password");
    }

    @Test
    void adhocJobGetsItsOwnContextWhichStopsAfterwards() {
        var reply =
                server.post("/jobs?appName=test&classPath=spark.jobserver.WordCountExample", "input.string = z z y");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(202);
        String jobId = reply.json().get("jobId").asText();
        String context = reply.json().get("context").asText();
        assertThat(context).matches("[0-9a-f]{8}-spark\\.jobserver\\.WordCountExample");
        JsonNode job = server.await(
                        "/jobs/" + jobId,
                        r -> r.json().get("status").asText().equals("FINISHED"),
                        Duration.ofSeconds(60))
                .json();
        assertThat(job.get("result").toString()).isEqualTo("{\"y\":1,\"z\":2}");
        server.await(
                "/contexts/" + context, r -> r.json().get("state").asText().equals("FINISHED"), Duration.ofSeconds(30));
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).doesNotContain(context);
    }

    @Test
    void adhocValidationFailureIs400AndStopsItsContext() {
        for (int i = 0; i < 2; i++) { // ad-hoc names start with a hex digit or a letter: both must work
            var reply = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.WordCountExample",
                    "bad.input=abc",
                    "application/x-www-form-urlencoded");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
            assertThat(reply.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
            assertThat(reply.json().get("result").get("message").asText())
                    .isEqualTo("One(SparkJobInvalid(No input.string config param))");
        }
    }

    @Test
    void asyncJobThatThrowsEndsInError() {
        String jobId = startAsync("spark.jobserver.MyErrorJob", "");
        JsonNode job = server.await(
                        "/jobs/" + jobId, r -> r.json().get("status").asText().equals("ERROR"), Duration.ofSeconds(30))
                .json();
        assertThat(job.get("result").get("message").asText()).isEqualTo("Foobar");
        assertThat(job.get("result").get("errorClass").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(job.get("duration").asText()).endsWith(" secs");
        var kill = server.delete("/jobs/" + jobId);
        assertThat(kill.status()).isEqualTo(200);
        assertThat(kill.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(kill.json().get("result").get("message").asText()).isEqualTo("Foobar");
    }

    @Test
    void syncAdhocJobGoesOnAfterItsTimeout() {
        var timedOut = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&sync=true&timeout=1",
                "sleep.time.millis = 4000");
        assertThat(timedOut.status()).as(timedOut.toString()).isEqualTo(500);
        assertThat(timedOut.json().get("result").get("errorClass").asText())
                .isEqualTo("akka.pattern.AskTimeoutException");
        String jobId =
                timedOut.json().get("result").get("message").asText().replaceAll(".*job ([0-9a-f-]{36}).*", "$1");
        JsonNode done = server.await(
                        "/jobs/" + jobId,
                        r -> r.status() == 200
                                && !r.json().get("status").asText().equals("RUNNING"),
                        Duration.ofSeconds(60))
                .json();
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("FINISHED");
        assertThat(done.get("result").asLong()).isEqualTo(4000);
    }
}
