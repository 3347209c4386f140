package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A driver that dies, and a server restart that its drivers outlive. */
class DriverLifecycleIT {
    private TestingJobServer server;

    @BeforeEach
    void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aKilledDriverFailsItsContextAndItsRunningJobs() {
        server.createContext("victim", "");
        String contextId = server.get("/contexts/victim").json().get("id").asText();
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=victim", "sleep.time.millis = 60000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        server.await("/jobs/" + jobId, r -> r.json().get("status").asText().equals("RUNNING"), Duration.ofSeconds(10));

        ProcessHandle driver = server.driverProcess(contextId).orElseThrow();
        driver.destroyForcibly(); // SIGKILL

        JsonNode context = server.await(
                        "/contexts/victim", r -> r.json().get("state").asText().equals("ERROR"), Duration.ofSeconds(30))
                .json();
        assertThat(context.get("endTime").asText()).isNotEqualTo("Empty");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).doesNotContain("victim");

        JsonNode job = server.await(
                        "/jobs/" + jobId, r -> r.json().get("status").asText().equals("ERROR"), Duration.ofSeconds(10))
                .json();
        assertThat(job.get("result").get("message").asText()).contains("victim").contains("terminated unexpectedly");
        assertThat(job.get("duration").asText()).endsWith(" secs");

        // the name is free again
        server.createContext("victim", "");
        assertThat(server.get("/contexts/victim").json().get("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void stateSurvivesARestartAndTheDriverReattaches() {
        server.createContext("survivor", "");
        String contextId = server.get("/contexts/survivor").json().get("id").asText();
        var first = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=survivor"
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        String firstJob = first.json().get("jobId").asText();
        ProcessHandle driver = server.driverProcess(contextId).orElseThrow();

        server.restart();

        assertThat(driver.isAlive()).as("drivers outlive a server stop").isTrue();
        assertThat(server.get("/binaries").json().has("test")).isTrue();
        JsonNode job = server.get("/jobs/" + firstJob).json();
        assertThat(job.get("status").asText()).isEqualTo("FINISHED");
        assertThat(job.get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(server.get("/jobs/" + firstJob + "/config")
                        .json()
                        .get("input")
                        .get("string")
                        .asText())
                .isEqualTo("a b a");

        // the same context, same id, keeps running jobs once its driver is back
        assertThat(server.get("/contexts/survivor").json().get("id").asText()).isEqualTo(contextId);
        TestingJobServer.Reply second = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            second = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=survivor"
                            + "&sync=true&timeout=60",
                    "input.string = c c");
            if (second.status() != 503) {
                break;
            }
            sleep(500);
        }
        assertThat(second).isNotNull();
        assertThat(second.status()).as(second.toString()).isEqualTo(200);
        assertThat(second.json().get("result").toString()).isEqualTo("{\"c\":2}");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).contains("survivor");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
