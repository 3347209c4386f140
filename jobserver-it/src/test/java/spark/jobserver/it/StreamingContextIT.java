package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Streaming contexts (real driver JVMs, {@code StreamingContextFactory}): a streaming job that runs until
 * its context is deleted and stopped gracefully, and a streaming job whose batch fails, which stops its
 * context on its own ({@code stop-context-on-job-error} defaults to true for streaming).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingContextIT {
    private static final String FACTORY = "context-factory=spark.jobserver.context.StreamingContextFactory";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path driverLog(String context) {
        String id = server.get("/contexts/" + context).json().get("id").asText();
        return server.root().resolve("contexts").resolve(id).resolve("driver.log");
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitLog(Path log, String text) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!read(log).contains(text)) {
            assertThat(Instant.now()).as("'" + text + "' in " + log).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    private static String status(String jobId) {
        return server.get("/jobs/" + jobId).json().get("status").asText();
    }

    @Test
    @Order(1)
    void aStreamingJobRunsUntilItsContextIsDeletedAndTheContextStopsGracefully() throws Exception {
        server.createContext("stream-ctx", FACTORY + "&streaming.batch_interval=500");
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.StreamingTestJob&context=stream-ctx",
                "streaming.test.job { maxIterations = 3, totalDelaySeconds = 1, printCount = true }");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        server.await("/jobs/" + jobId, r -> r.json().get("status").asText().equals("RUNNING"), WAIT);
        Path log = driverLog("stream-ctx");
        awaitLog(log, "StreamingTestJob batch: 3 distinct words");
        // Batches keep coming until the context stops: the job is still running.
        assertThat(status(jobId)).isEqualTo("RUNNING");

        var stopped = server.delete("/contexts/stream-ctx");
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context stopped\"}");
        JsonNode ctx = server.get("/contexts/stream-ctx").json();
        assertThat(ctx.get("state").asText()).isEqualTo("FINISHED");
        assertThat(status(jobId)).isEqualTo("KILLED");
        String text = read(log);
        assertThat(text).contains("Stopping JobGenerator gracefully");
        assertThat(text).contains("StreamingContext stopped successfully");
    }

    @Test
    @Order(2)
    void aStreamingContextStopsItselfWhenAJobFails() {
        server.createContext("failing-stream", FACTORY);
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.StreamingTaskFailedTestJob&context=failing-stream", "");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();

        JsonNode job = server.await(
                        "/jobs/" + jobId, r -> r.json().get("status").asText().equals("ERROR"), WAIT)
                .json();
        assertThat(job.get("result").get("stack").asText()).contains("ArithmeticException");
        JsonNode ctx = server.await(
                        "/contexts/failing-stream",
                        r -> r.json().get("state").asText().equals("FINISHED"),
                        WAIT)
                .json();
        assertThat(ctx.get("endTime").asText()).isNotEqualTo("Empty");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).doesNotContain("failing-stream");
        var late =
                server.post("/jobs?appName=test&classPath=spark.jobserver.StreamingTestJob&context=failing-stream", "");
        assertThat(late.status()).isEqualTo(404);
    }
}
