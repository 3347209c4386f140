package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code GET /jobs/<id>/progress} with a real driver: a two-stage job seen while it runs (also after a
 * server restart), after it ends, and after another restart (from the database).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JobProgressIT {
    private static final String CTX = "progress";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("spark.jobserver.driver.progress-interval = 200ms");
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void anUnknownJobIsNotFoundAsOnJobs() {
        var progress = server.get("/jobs/no-such-job/progress");
        var job = server.get("/jobs/no-such-job");
        assertThat(progress.status()).isEqualTo(404);
        assertThat(progress.json()).isEqualTo(job.json());
        assertThat(progress.json().get("status").asText()).isEqualTo("ERROR");
    }

    @Test
    @Order(2)
    void aJobWithoutSparkWorkHasNone() {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.JavaHelloWorldJob&context=" + CTX + "&sync=true", "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String jobId = reply.json().get("jobId").asText();
        JsonNode progress = server.get("/jobs/" + jobId + "/progress").json();
        assertThat(progress.get("jobId").asText()).isEqualTo(jobId);
        assertThat(progress.get("status").asText()).isEqualTo("FINISHED");
        assertThat(progress.get("sparkJobs")).isEmpty();
        assertThat(progress.get("stages")).isEmpty();
    }

    @Test
    @Order(3)
    void aShuffleJobIsSeenWhileItRunsWhenItEndsAndAfterARestart() throws Exception {
        Path gate = server.root().resolve("gate-" + System.nanoTime());
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WaitingShuffleJob&context=" + CTX,
                "gate = \"" + gate + "\"\npartitions = 4\nreducers = 2\nnumbers = 1000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        String path = "/jobs/" + jobId + "/progress";

        // While it runs: the map stage is active (local[2]: two of its four tasks at once, both waiting for
        // the gate), the reduce stage waits for it.
        JsonNode midway = server.await(
                        path,
                        r -> r.status() == 200
                                && r.json().get("stages").size() == 2
                                && r.json()
                                                .get("stages")
                                                .get(0)
                                                .get("activeTasks")
                                                .asInt()
                                        == 2,
                        WAIT)
                .json();
        assertThat(midway.get("status").asText()).isEqualTo("RUNNING");
        JsonNode runningJob = single(midway.get("sparkJobs"));
        assertThat(runningJob.get("status").asText()).isEqualTo("RUNNING");
        assertThat(runningJob.get("numTasks").asInt()).isEqualTo(6);
        assertThat(runningJob.get("activeTasks").asInt()).isEqualTo(2);
        assertThat(runningJob.get("completedTasks").asInt()).isZero();
        assertThat(runningJob.get("submissionTime").isTextual()).isTrue();
        assertThat(runningJob.get("completionTime").isNull()).isTrue();
        assertThat(statuses(midway)).containsExactly("ACTIVE", "PENDING");
        assertThat(midway.get("stages").get(0).get("numTasks").asInt()).isEqualTo(4);
        assertThat(midway.get("stages").get(1).get("numTasks").asInt()).isEqualTo(2);

        // A restarted server has nothing in memory: the driver, back, sends the whole picture again.
        server.restart();
        JsonNode again = server.await(
                        path, r -> r.status() == 200 && r.json().get("stages").size() == 2, WAIT)
                .json();
        assertThat(again.get("status").asText()).isEqualTo("RUNNING");
        assertThat(statuses(again)).containsExactly("ACTIVE", "PENDING");

        Files.createFile(gate);
        JsonNode finished = server.await(
                        "/jobs/" + jobId, r -> r.json().get("status").asText().equals("FINISHED"), WAIT)
                .json();
        assertThat(finished.get("result").asLong()).isEqualTo(1000);

        // When it ends: the last picture, complete, is there at once.
        JsonNode done = server.get(path).json();
        assertThat(done.get("status").asText()).isEqualTo("FINISHED");
        JsonNode sparkJob = single(done.get("sparkJobs"));
        assertThat(sparkJob.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(sparkJob.get("stageIds")).hasSize(2);
        assertThat(sparkJob.get("numTasks").asInt()).isEqualTo(6);
        assertThat(sparkJob.get("completedTasks").asInt()).isEqualTo(6);
        assertThat(sparkJob.get("activeTasks").asInt()).isZero();
        assertThat(sparkJob.get("failedTasks").asInt()).isZero();
        assertThat(sparkJob.get("skippedTasks").asInt()).isZero();
        assertThat(sparkJob.get("completionTime").isTextual()).isTrue();
        assertThat(statuses(done)).containsExactly("COMPLETE", "COMPLETE");
        JsonNode map = done.get("stages").get(0);
        JsonNode reduce = done.get("stages").get(1);
        assertThat(map.get("name").asText()).contains("mapToPair");
        assertThat(map.get("completedTasks").asInt()).isEqualTo(4);
        assertThat(map.get("shuffleWriteBytes").asLong()).isPositive();
        assertThat(reduce.get("completedTasks").asInt()).isEqualTo(2);
        assertThat(reduce.get("shuffleReadBytes").asLong()).isPositive();
        assertThat(reduce.get("failureReason").isNull()).isTrue();

        // After a restart: from the database, as it was.
        server.restart();
        var afterRestart = server.get(path);
        assertThat(afterRestart.status()).isEqualTo(200);
        assertThat(afterRestart.json()).isEqualTo(done);
    }

    private static JsonNode single(JsonNode array) {
        assertThat(array).hasSize(1);
        return array.get(0);
    }

    private static List<String> statuses(JsonNode progress) {
        List<String> statuses = new ArrayList<>();
        progress.get("stages").forEach(s -> statuses.add(s.get("status").asText()));
        return statuses;
    }
}
