package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What is kept of ended jobs: a capped history that never loses a running job, and capped results. */
class JobHistoryIT {
    private static final String CTX = "history";
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start(
                "spark.jobserver.job-history { max-jobs = 3, prune-interval = 1s," + " max-result-size = 300 }");
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void onlyTheNewestEndedJobsAreKeptAndARunningJobNeverGoes() {
        var sleeping = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + CTX, "sleep.time.millis = 600000");
        assertThat(sleeping.status()).as(sleeping.toString()).isEqualTo(202);
        String runningId = sleeping.json().get("jobId").asText();
        server.await(
                "/jobs/" + runningId, r -> r.json().get("status").asText().equals("RUNNING"), Duration.ofSeconds(30));

        List<String> ended = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            var reply = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                            + "&sync=true&timeout=60",
                    "input.string = a b " + i);
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            ended.add(reply.json().get("jobId").asText());
        }

        // the three oldest ended jobs go, with their configs and results
        for (String gone : ended.subList(0, 3)) {
            server.await("/jobs/" + gone, r -> r.status() == 404, Duration.ofSeconds(30));
            assertThat(server.get("/jobs/" + gone + "/config").status()).isEqualTo(404);
        }
        JsonNode kept = server.get("/jobs?limit=100").json();
        assertThat(kept)
                .extracting(j -> j.get("jobId").asText())
                .containsExactlyInAnyOrder(runningId, ended.get(3), ended.get(4), ended.get(5));
        assertThat(server.get("/jobs/" + ended.get(5))
                        .json()
                        .get("result")
                        .get("a")
                        .asInt())
                .isEqualTo(1);
        assertThat(server.get("/jobs/" + runningId).json().get("status").asText())
                .isEqualTo("RUNNING");

        assertThat(server.delete("/jobs/" + runningId).status()).isEqualTo(200);
    }

    @Test
    void aResultOverTheCapIsAnErrorThatSaysSo() {
        String words = IntStream.range(0, 100).mapToObj(i -> "word" + i).collect(Collectors.joining(" "));
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                        + "&sync=true&timeout=60",
                "input.string = \"" + words + "\"");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        String jobId = reply.json().get("jobId").asText();
        JsonNode error = reply.json().get("result");
        assertThat(error.get("errorClass").asText()).isEqualTo("spark.jobserver.ResultTooLargeException");
        assertThat(error.get("message").asText())
                .contains("max-result-size")
                .contains("300 bytes")
                .contains(jobId);

        JsonNode job = server.get("/jobs/" + jobId).json();
        assertThat(job.get("status").asText()).isEqualTo("ERROR");
        assertThat(job.get("result")).isEqualTo(error);
    }
}
