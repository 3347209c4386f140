package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /contexts/<name>/objects} over HTTP with a real driver: the named objects jobs created, with
 * Spark's figures for what they cache.
 */
class NamedObjectsRestIT {
    private static final String CTX = "objects-ctx";
    private static final Duration WAIT = Duration.ofSeconds(60);
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

    private static void run(String classPath, String config) {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver." + classPath + "&context=" + CTX
                        + "&sync=true&timeout=60",
                config);
        assertThat(reply.status()).as(classPath + ": " + reply).isEqualTo(200);
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
    void aContextListsItsNamedObjectsWithSparksFiguresAndWhenTheyWereLastUsed() throws InterruptedException {
        var empty = server.get("/contexts/" + CTX + "/objects");
        assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
        assertThat(empty.json().toString()).isEqualTo("[]");

        run("NamedObjectsTestJob", "createDF = true, createRDD = true, createBroadcast = yes");
        run("CacheRddByNameJob", "");

        // Spark's storage figures arrive through its listener bus, a moment after the jobs cached them.
        JsonNode list = server.await(
                        "/contexts/" + CTX + "/objects",
                        r -> r.status() == 200
                                && r.json().size() == 4
                                && byName(r.json()).values().stream()
                                        .filter(o -> !o.get("kind").asText().equals("Broadcast"))
                                        .allMatch(NamedObjectsRestIT::cached),
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
        run("CacheRddByNameJob", "");
        Map<String, JsonNode> after =
                byName(server.get("/contexts/" + CTX + "/objects").json());
        assertThat(Instant.parse(after.get("CacheRddByNameJob").get("lastUsed").asText()))
                .isAfter(before);
        assertThat(Instant.parse(after.get("rdd1").get("lastUsed").asText())).isEqualTo(rddBefore);
        assertThat(after.get("rdd1").get("lastUsed").asText()).endsWith("Z");
    }

    @Test
    void anUnknownContextIs404() {
        var reply = server.get("/contexts/nothing-here/objects");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(reply.json().get("result").asText()).isEqualTo("context nothing-here not found");
    }
}
