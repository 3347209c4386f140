package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Jobs that share data through their context (one real driver JVM, default factory): Spark's own cache,
 * named RDDs, named DataFrames and broadcasts, run one after the other and all at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NamedObjectsIT {
    private static final String CTX = "named-ctx";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode syncResult(String classPath, String config) {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver." + classPath + "&context=" + CTX
                        + "&sync=true&timeout=60",
                config);
        assertThat(reply.status()).as(classPath + ": " + reply).isEqualTo(200);
        assertThat(reply.json().has("status")).as(classPath + ": " + reply).isFalse();
        return reply.json().get("result");
    }

    private static String startAsync(String classPath, String config) {
        var reply =
                server.post("/jobs?appName=test&classPath=spark.jobserver." + classPath + "&context=" + CTX, config);
        assertThat(reply.status()).as(classPath + ": " + reply).isEqualTo(202);
        return reply.json().get("jobId").asText();
    }

    private static JsonNode finished(String jobId) {
        JsonNode job = server.await(
                        "/jobs/" + jobId, r -> !r.json().get("status").asText().matches("STARTED|RUNNING"), WAIT)
                .json();
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FINISHED");
        return job.get("result");
    }

    @Test
    @Order(1)
    void aRddOneJobCachesIsFoundByTheNext() {
        assertThat(syncResult("CacheSomethingJob", "").asInt()).isEqualTo(426);
        assertThat(syncResult("AccessCacheJob", "").asInt()).isEqualTo(426);
    }

    @Test
    @Order(2)
    void namedRddsAreCreatedOnceAndFoundByName() {
        assertThat(syncResult("CacheRddByNameJob", "").asInt()).isEqualTo(55);
        assertThat(syncResult("CacheRddByNameJob", "").asInt()).isEqualTo(55);
    }

    @Test
    @Order(3)
    void namedObjectsOfEveryKindAreListedUntilForgotten() {
        JsonNode created =
                syncResult("NamedObjectsTestJob", "createDF = true, createRDD = true, createBroadcast = yes");
        assertThat(created.toString()).isEqualTo("[\"CacheRddByNameJob\",\"broadcast1\",\"df1\",\"numbers\",\"rdd1\"]");
        JsonNode afterDelete = syncResult("NamedObjectsTestJob", "delete = [df1, CacheRddByNameJob]");
        assertThat(afterDelete.toString()).isEqualTo("[\"broadcast1\",\"numbers\",\"rdd1\"]");
        // A forgotten named RDD is made again by the next job that asks for it.
        assertThat(syncResult("CacheRddByNameJob", "").asInt()).isEqualTo(55);
        assertThat(syncResult("NamedObjectsTestJob", "").toString())
                .isEqualTo("[\"CacheRddByNameJob\",\"broadcast1\",\"numbers\",\"rdd1\"]");
    }

    @Test
    @Order(4)
    void jobsSharingNamedObjectsRunConcurrently() {
        syncResult("NamedObjectsTestJob", "delete = [CacheRddByNameJob]");
        // Every kind at once: creating the same named RDD (created once, the others wait for it),
        // replacing named objects, and reading Spark's cache while another job replaces it.
        Map<String, String> jobs = Map.of(
                "CacheRddByNameJob", "",
                "CacheSomethingJob", "",
                "AccessCacheJob", "",
                "NamedObjectsTestJob", "createDF = true, createRDD = true, createBroadcast = yes");
        List<String[]> started = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            jobs.forEach((classPath, config) -> started.add(new String[] {classPath, startAsync(classPath, config)}));
        }
        for (String[] job : started) {
            JsonNode result = finished(job[1]);
            switch (job[0]) {
                case "CacheRddByNameJob" -> assertThat(result.asInt()).isEqualTo(55);
                case "CacheSomethingJob", "AccessCacheJob" ->
                    assertThat(result.asInt()).isEqualTo(426);
                default ->
                    assertThat(result)
                            .allSatisfy(name -> assertThat(name.asText())
                                    .isIn("CacheRddByNameJob", "broadcast1", "df1", "numbers", "rdd1"));
            }
        }
        assertThat(syncResult("NamedObjectsTestJob", "").toString())
                .isEqualTo("[\"CacheRddByNameJob\",\"broadcast1\",\"df1\",\"numbers\",\"rdd1\"]");
    }
}
