package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * named RDDs, named DataFrames and broadcasts, run one after the other and all at once; and
 * {@code GET /contexts/<name>/objects}, the named objects jobs created, with Spark's figures for what
 * they cache.
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

    private static Map<String, JsonNode> byName(JsonNode list) {
        Map<String, JsonNode> objects = new HashMap<>();
        list.forEach(o -> objects.put(o.get("name").asText(), o));
        return objects;
    }

    private static boolean cached(JsonNode o) {
        return o.path("cachedPartitions").asInt() > 0
                && o.path("cachedPartitions").asInt() == o.path("partitions").asInt();
    }

    @Test
    @Order(0)
    void aContextListsItsNamedObjectsWithSparksFiguresAndWhenTheyWereLastUsed() throws InterruptedException {
        var empty = server.get("/contexts/" + CTX + "/objects");
        assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
        assertThat(empty.json().toString()).isEqualTo("[]");

        syncResult("NamedObjectsTestJob", "createDF = true, createRDD = true, createBroadcast = yes");
        syncResult("CacheRddByNameJob", "");

        // Spark's storage figures arrive through its listener bus, a moment after the jobs cached them.
        JsonNode list = server.await(
                        "/contexts/" + CTX + "/objects",
                        r -> r.status() == 200
                                && r.json().size() == 4
                                && byName(r.json()).values().stream()
                                        .filter(o -> !o.get("kind").asText().equals("Broadcast"))
                                        .allMatch(NamedObjectsIT::cached),
                        WAIT)
                .json();
        assertThat(list)
                .extracting(o -> o.get("name").asText())
                .containsExactly("CacheRddByNameJob", "broadcast1", "df1", "rdd1");
        Map<String, JsonNode> objects = byName(list);

        JsonNode rdd = objects.get("rdd1");
        assertThat(rdd.get("kind").asText()).isEqualTo("RDD");
        assertThat(rdd.get("storageLevel").asText()).isEqualTo("MEMORY_ONLY");
        assertThat(rdd.get("memoryBytes").asLong()).isPositive();
        assertThat(rdd.get("diskBytes").asLong()).isZero();
        // sc.parallelize without a slice count: the default parallelism of local[2]
        assertThat(rdd.get("partitions").asInt()).isEqualTo(2);
        assertThat(rdd.get("rddId").isInt()).isTrue();
        assertThat(rdd.has("broadcastId")).isFalse();

        JsonNode df = objects.get("df1");
        assertThat(df.get("kind").asText()).isEqualTo("DataFrame");
        assertThat(df.get("storageLevel").asText()).isEqualTo("MEMORY_AND_DISK");
        assertThat(df.get("memoryBytes").asLong() + df.get("diskBytes").asLong())
                .isPositive();
        assertThat(df.get("partitions").asInt()).isPositive();

        JsonNode broadcast = objects.get("broadcast1");
        assertThat(broadcast.get("kind").asText()).isEqualTo("Broadcast");
        assertThat(broadcast.get("storageLevel").asText()).isEqualTo("n/a");
        assertThat(broadcast.get("broadcastId").isIntegralNumber()).isTrue();
        assertThat(broadcast.get("destroyed").asBoolean()).isFalse();
        assertThat(broadcast.has("memoryBytes")).isFalse();

        JsonNode byNameRdd = objects.get("CacheRddByNameJob");
        assertThat(byNameRdd.get("partitions").asInt()).isEqualTo(2);
        assertThat(byNameRdd.get("memoryBytes").asLong()).isPositive();

        // A job that gets an object moves its last use; the others keep theirs.
        Instant before = Instant.parse(byNameRdd.get("lastUsed").asText());
        Instant rddBefore = Instant.parse(rdd.get("lastUsed").asText());
        Thread.sleep(20); // lastUsed has millisecond resolution
        syncResult("CacheRddByNameJob", "");
        Map<String, JsonNode> after =
                byName(server.get("/contexts/" + CTX + "/objects").json());
        assertThat(Instant.parse(after.get("CacheRddByNameJob").get("lastUsed").asText()))
                .isAfter(before);
        assertThat(Instant.parse(after.get("rdd1").get("lastUsed").asText())).isEqualTo(rddBefore);
        assertThat(after.get("rdd1").get("lastUsed").asText()).endsWith("Z");
    }

    @Test
    @Order(5)
    void anUnknownContextsObjectsAre404() {
        var reply = server.get("/contexts/nothing-here/objects");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(reply.json().get("result").asText()).isEqualTo("context nothing-here not found");
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
