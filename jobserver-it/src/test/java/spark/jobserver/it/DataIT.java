package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
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

/** {@code /data}: upload, list (also after a restart), delete only what the server stored, reset. No driver needed. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataIT {
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String encoded(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String upload(String prefix, String content) {
        var reply = server.post("/data/" + prefix, content, "text/plain");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().has("status")).isFalse();
        return reply.json().get("result").get("filename").asText();
    }

    private static List<String> listed() {
        List<String> names = new ArrayList<>();
        server.get("/data").json().forEach(n -> names.add(n.asText()));
        return names;
    }

    @Test
    @Order(1)
    void uploadsGetUniqueTimestampedNamesAndAreListed() throws Exception {
        String first = upload("words.txt", "a b c a b see");
        String second = upload("words.txt", "second");
        Path dataDir = server.root().resolve("upload").toRealPath();
        assertThat(first).isNotEqualTo(second);
        for (String name : List.of(first, second)) {
            Path path = Path.of(name);
            assertThat(path).isAbsolute();
            assertThat(path.getParent().toRealPath()).isEqualTo(dataDir);
            assertThat(path.getFileName().toString())
                    .matches(
                            "words\\.txt-\\d{4}-\\d\\d-\\d\\dT\\d\\d_\\d\\d_\\d\\d\\.\\d{3}(Z|[+-]\\d\\d_\\d\\d)\\.dat");
        }
        assertThat(Files.readString(Path.of(first))).isEqualTo("a b c a b see");
        assertThat(Files.readString(Path.of(second))).isEqualTo("second");
        assertThat(listed()).contains(first, second);
    }

    @Test
    @Order(2)
    void badPrefixesAreRefused() {
        var dotted = server.post("/data/.hidden", "x", "text/plain");
        assertThat(dotted.status()).isEqualTo(400);
        assertThat(dotted.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(dotted.json().get("result").asText()).startsWith("Failed to store data file '.hidden'");
        // an encoded slash must not let a prefix escape the data directory
        var escaping = server.post("/data/..%2F..%2Fescape", "x", "text/plain");
        assertThat(escaping.status()).isEqualTo(400);
        assertThat(server.root().resolve("escape")).doesNotExist();
    }

    @Test
    @Order(3)
    void theListSurvivesARestart() {
        List<String> before = listed();
        assertThat(before).hasSize(2);
        server.restart();
        assertThat(listed()).containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    @Order(4)
    void deleteTakesTheUrlEncodedAbsolutePath() {
        String file = upload("to-delete", "bye");
        var deleted = server.delete("/data/" + encoded(file));
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().toString()).isEqualTo("{\"status\":\"SUCCESS\"}");
        assertThat(Path.of(file)).doesNotExist();
        assertThat(listed()).doesNotContain(file);

        var again = server.delete("/data/" + encoded(file));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.json().get("result").asText()).isEqualTo("Unable to delete data file '" + file + "'.");
    }

    @Test
    @Order(5)
    void onlyFilesTheServerStoredCanBeDeleted() throws Exception {
        Path dataDir = server.root().resolve("upload");
        String stamp = "-2016-07-04T09_09_57.928+05_30.dat";
        // a file outside the data directory, named like a data file
        Path outside = Files.writeString(server.root().resolve("outside" + stamp), "keep me");
        // the same file reached through the data directory with '..'
        String traversal = dataDir + "/../outside" + stamp;
        // a symbolic link in the data directory, named like a data file, pointing outside
        Path link = Files.createSymbolicLink(dataDir.resolve("link" + stamp), outside);
        // a file in the data directory that the server did not name
        Path foreign = Files.writeString(dataDir.resolve("notes.txt"), "keep me too");

        for (String path : List.of(
                outside.toString(),
                traversal,
                link.toString(),
                foreign.toString(),
                "relative" + stamp,
                "/etc/passwd")) {
            var refused = server.delete("/data/" + encoded(path));
            assertThat(refused.status()).as(path + ": " + refused).isEqualTo(400);
            assertThat(refused.json().get("status").asText()).isEqualTo("ERROR");
        }
        assertThat(outside).hasContent("keep me");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(foreign).hasContent("keep me too");
        assertThat(listed()).doesNotContain(link.toString(), foreign.toString());
        Files.delete(link);
    }

    @Test
    @Order(6)
    void driverRouteRefusesRequestsWithoutAValidDriverSignature() {
        String file = listed().get(0);
        var anonymous = server.get("/driver/data/" + encoded(file));
        assertThat(anonymous.status()).isEqualTo(403);
        assertThat(anonymous.json().get("status").asText()).isEqualTo("ERROR");
    }

    @Test
    @Order(7)
    void resetNeedsAKnownResetValue() {
        var missing = server.put("/data", "");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("result").asText())
                .isEqualTo("Request is missing required query parameter 'reset'");
        var unknown = server.put("/data?reset=nonsense", "");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(listed()).isNotEmpty();
    }

    @Test
    @Order(8)
    void resetDeletesEveryDataFile() {
        List<String> before = listed();
        var reset = server.put("/data?reset=reboot", "");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Data reset\"}");
        assertThat(listed()).isEmpty();
        before.forEach(f -> assertThat(Path.of(f)).doesNotExist());
        assertThat(server.root().resolve("upload").resolve("notes.txt")).exists();
    }

    @Test
    @Order(9)
    void asyncResetDeletesInTheBackground() {
        String file = upload("later", "x");
        var reset = server.put("/data?reset=reboot&sync=false", "");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Data reset requested\"}");
        server.await("/data", r -> r.json().isEmpty(), Duration.ofSeconds(30));
        assertThat(Path.of(file)).doesNotExist();
    }

    @Test
    @Order(10)
    void theMethodOverrideDeletesAndResetsThroughPost() {
        String file = upload("override", "x");
        var deleted = server.post("/data/" + encoded(file) + "?_method=DELETE", "");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().toString()).isEqualTo("{\"status\":\"SUCCESS\"}");
        assertThat(Path.of(file)).doesNotExist();

        String other = upload("override", "y");
        var reset = server.post("/data?reset=reboot&_method=PUT", "");
        assertThat(reset.status()).as(reset.toString()).isEqualTo(200);
        assertThat(reset.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Data reset\"}");
        assertThat(Path.of(other)).doesNotExist();
        assertThat(listed()).isEmpty();
    }

    @Test
    @Order(11)
    void uploadsBeyondTheSizeLimitAreRefused() throws Exception {
        try (TestingJobServer small = TestingJobServer.start("akka.http.server.parsing.max-content-length = 1k")) {
            var tooBig = small.post("/data/big", new byte[4096], "application/octet-stream");
            assertThat(tooBig.status()).isEqualTo(413);
            JsonNode body = tooBig.json();
            assertThat(body.get("status").asText()).isEqualTo("ERROR");
            assertThat(small.get("/data").json()).isEmpty();
            try (var files = Files.list(small.root().resolve("upload"))) {
                assertThat(files.toList()).as("no partial file is left behind").isEmpty();
            }
        }
    }
}
