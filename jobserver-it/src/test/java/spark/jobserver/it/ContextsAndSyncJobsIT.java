package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One persistent context (a real driver JVM) shared by the class: creating it, running sync jobs in
 * both job styles, the errors of POST /jobs, and deleting it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContextsAndSyncJobsIT {
    private static final String CTX = "sync-ctx";
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        var created = server.post("/contexts/" + CTX + "?num-cpu-cores=2&memory-per-node=512m", "");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(created.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context initialized\"}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void contextIsListedAndDescribed() {
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).contains(CTX);
        JsonNode ctx = server.get("/contexts/" + CTX).json();
        assertThat(ctx.get("name").asText()).isEqualTo(CTX);
        assertThat(ctx.get("state").asText()).isEqualTo("RUNNING");
        assertThat(ctx.get("endTime").asText()).isEqualTo("Empty");
        assertThat(ctx.get("applicationId").asText()).startsWith("local-");
        assertThat(ctx.get("id").asText()).hasSize(36);
        assertThat(ctx.get("startTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    @Order(2)
    void duplicateAndBadNamesAreRefused() {
        var duplicate = server.post("/contexts/" + CTX, "");
        assertThat(duplicate.status()).isEqualTo(400);
        assertThat(duplicate.json().get("result").asText()).isEqualTo("context " + CTX + " exists");
        var badName = server.post("/contexts/1_name", "");
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("result").asText()).isEqualTo("context name must start with letters");
        assertThat(server.get("/contexts/unknown").status()).isEqualTo(404);
        var deleteUnknown = server.delete("/contexts/unknown");
        assertThat(deleteUnknown.status()).isEqualTo(404);
        assertThat(deleteUnknown.json().get("result").asText()).isEqualTo("context unknown not found");
    }

    @Test
    @Order(3)
    void syncWordCountLegacyStyle() {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                        + "&sync=true&timeout=60",
                "input.string = \"a b c a b see\"",
                "application/x-www-form-urlencoded");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");
        String jobId = reply.json().get("jobId").asText();

        JsonNode job = server.get("/jobs/" + jobId).json();
        assertThat(job.get("status").asText()).isEqualTo("FINISHED");
        assertThat(job.get("classPath").asText()).isEqualTo("spark.jobserver.WordCountExample");
        assertThat(job.get("context").asText()).isEqualTo(CTX);
        assertThat(job.get("duration").asText()).matches("\\d+\\.\\d+ secs");
        assertThat(job.get("startTime").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
        assertThat(job.get("result").toString()).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");

        JsonNode config = server.get("/jobs/" + jobId + "/config").json();
        assertThat(config.get("input").get("string").asText()).isEqualTo("a b c a b see");
    }

    @Test
    @Order(4)
    void syncWordCountTypedStyleWithJsonBody() {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExampleNewApi&context=" + CTX
                        + "&sync=true&timeout=60",
                "{\"input\": {\"string\": \"x y x\"}}",
                "application/json");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");
    }

    @Test
    @Order(5)
    void validationFailuresAre400() {
        var legacy = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX + "&sync=true",
                "bad.input=abc");
        assertThat(legacy.status()).as(legacy.toString()).isEqualTo(400);
        assertThat(legacy.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(legacy.json().get("result").get("message").asText())
                .isEqualTo("One(SparkJobInvalid(No input.string config param))");
        assertThat(legacy.json().get("result").get("errorClass").asText()).isEqualTo("java.lang.Throwable");

        var typed =
                server.post("/jobs?appName=test&classPath=spark.jobserver.WordCountExampleNewApi&context=" + CTX, "");
        assertThat(typed.status()).isEqualTo(400);
        assertThat(typed.json().get("result").get("message").asText())
                .isEqualTo("One(SingleProblem(No input.string param))");
    }

    @Test
    @Order(6)
    void resultsOfOtherShapes() {
        var doubles = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.VeryShortDoubleJob&context=" + CTX
                        + "&sync=true&timeout=60",
                "");
        assertThat(doubles.json().get("result").toString()).isEqualTo("[2,4,6]");
        var noop = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX + "&sync=true&timeout=60", "");
        assertThat(noop.json().get("result").asInt()).isEqualTo(1);
    }

    @Test
    @Order(7)
    void jobErrors() {
        var unknownApp = server.post("/jobs?appName=nope&classPath=spark.jobserver.NoOpJob&context=" + CTX, "");
        assertThat(unknownApp.status()).isEqualTo(404);
        assertThat(unknownApp.json().get("result").asText()).isEqualTo("appName nope not found");

        var unknownClass = server.post("/jobs?appName=test&classPath=no.such.Job&context=" + CTX, "");
        assertThat(unknownClass.status()).isEqualTo(404);
        assertThat(unknownClass.json().get("result").asText()).isEqualTo("classPath no.such.Job not found");

        var unknownContext = server.post("/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=nope", "");
        assertThat(unknownContext.status()).isEqualTo(404);
        assertThat(unknownContext.json().get("result").asText()).isEqualTo("context nope not found");

        var badConfig =
                server.post("/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX, "input.string = {");
        assertThat(badConfig.status()).isEqualTo(400);
        assertThat(badConfig.json().get("result").asText()).startsWith("Cannot parse config: ");

        var noClassPath = server.post("/jobs?appName=test&context=" + CTX, "");
        assertThat(noClassPath.status()).isEqualTo(400);
        assertThat(noClassPath.json().get("result").asText())
                .isEqualTo("Cannot parse config: classPath parameter is missing!");

        var nothing = server.post("/jobs", "");
        assertThat(nothing.status()).isEqualTo(400);

        var badTimeout =
                server.post("/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX + "&timeout=abc", "");
        assertThat(badTimeout.status()).isEqualTo(400);

        var notAJob = server.post("/jobs?appName=test&classPath=java.lang.String&context=" + CTX, "");
        assertThat(notAJob.status()).isEqualTo(400);
        assertThat(notAJob.json().get("result").asText()).isEqualTo("Invalid job type for this context");

        var throwing = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.MyErrorJob&context=" + CTX + "&sync=true&timeout=60", "");
        assertThat(throwing.status()).isEqualTo(200);
        assertThat(throwing.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(throwing.json().get("result").get("message").asText()).isEqualTo("Foobar");
        assertThat(throwing.json().get("result").get("errorClass").asText())
                .isEqualTo("java.lang.IllegalArgumentException");
        assertThat(throwing.json().get("result").get("stack").asText()).contains("MyErrorJob");

        var fatal = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.MyFatalErrorJob&context=" + CTX + "&sync=true&timeout=60",
                "");
        assertThat(fatal.status()).isEqualTo(200);
        assertThat(fatal.json().get("result").get("errorClass").asText()).isEqualTo("java.lang.OutOfMemoryError");
        // the context survives
        var after = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX + "&sync=true&timeout=60", "");
        assertThat(after.status()).isEqualTo(200);

        assertThat(server.post("/jobs/some-id?appName=test&classPath=spark.jobserver.NoOpJob&context=" + CTX, "")
                        .status())
                .isEqualTo(404);
        var noJob = server.get("/jobs/no-such-job");
        assertThat(noJob.status()).isEqualTo(404);
        assertThat(noJob.json().get("result").asText()).isEqualTo("No such job ID no-such-job");
    }

    @Test
    @Order(8)
    void binaryInUseCannotBeDeletedWhileItsJobRuns() {
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + CTX, "sleep.time.millis = 4000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        var refused = server.delete("/binaries/test");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("result").asText()).isEqualTo("Binary is in use by job(s): " + jobId);
        server.await("/jobs/" + jobId, r -> r.json().get("status").asText().equals("FINISHED"), Duration.ofSeconds(30));
    }

    @Test
    @Order(9)
    void listingJobs() {
        JsonNode all = server.get("/jobs").json();
        assertThat(all.size()).isGreaterThanOrEqualTo(5);
        JsonNode limited = server.get("/jobs?limit=2").json();
        assertThat(limited.size()).isEqualTo(2);
        JsonNode errors = server.get("/jobs?status=error").json();
        assertThat(errors).allSatisfy(j -> assertThat(j.get("status").asText()).isEqualTo("ERROR"));
        assertThat(errors).allSatisfy(j -> assertThat(j.has("result")).isTrue());
        JsonNode finished = server.get("/jobs?status=FINISHED").json();
        assertThat(finished)
                .isNotEmpty()
                .allSatisfy(j -> assertThat(j.has("result")).isFalse());
        assertThat(server.get("/jobs?status=bogus").json()).isEmpty();
    }

    @Test
    @Order(10)
    void deleteStopsTheDriver() {
        String id = server.get("/contexts/" + CTX).json().get("id").asText();
        ProcessHandle driver = server.driverProcess(id).orElseThrow();
        var stopped = server.delete("/contexts/" + CTX);
        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context stopped\"}");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).doesNotContain(CTX);
        JsonNode ctx = server.get("/contexts/" + CTX).json();
        assertThat(ctx.get("state").asText()).isEqualTo("FINISHED");
        assertThat(ctx.get("endTime").asText()).isNotEqualTo("Empty");
        assertThat(driver.isAlive()).isFalse();
        assertThat(server.delete("/contexts/" + CTX).status()).isEqualTo(404);
    }
}
