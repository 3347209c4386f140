package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /binaries over HTTP, and the cross-cutting behaviour of the HTTP layer. No driver needed. */
class BinariesIT {
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("akka.http.server.parsing.max-content-length = 2m");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthz() {
        var reply = server.get("/healthz");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("SUCCESS");
    }

    @Test
    void uploadListGetAndDelete() throws Exception {
        byte[] jar = Files.readAllBytes(TestingJobServer.examplesJar());
        var upload = server.post("/binaries/bin-test", jar, "application/java-archive");
        assertThat(upload.status()).isEqualTo(201);
        assertThat(upload.json().toString()).isEqualTo("{\"status\":\"SUCCESS\"}");

        var list = server.get("/binaries");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("bin-test").get("binary-type").asText()).isEqualTo("Jar");
        assertThat(list.json().get("bin-test").get("upload-time").asText())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        var one = server.get("/binaries/bin-test");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("app-name").asText()).isEqualTo("bin-test");
        assertThat(one.json().get("binary-type").asText()).isEqualTo("Jar");

        var delete = server.delete("/binaries/bin-test");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(delete.json().get("status").asText()).isEqualTo("SUCCESS");
        assertThat(server.get("/binaries").json().has("bin-test")).isFalse();

        var again = server.delete("/binaries/bin-test");
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.json().get("result").asText()).isEqualTo("can't find binary with name bin-test");
    }

    @Test
    void newVersionReplacesTheOldInListings() throws Exception {
        byte[] jar = Files.readAllBytes(TestingJobServer.examplesJar());
        assertThat(server.post("/binaries/versions", jar, "application/java-archive")
                        .status())
                .isEqualTo(201);
        String first =
                server.get("/binaries/versions").json().get("upload-time").asText();
        Thread.sleep(5); // distinct upload times
        assertThat(server.post(
                                "/binaries/versions",
                                new byte[] {0x50, 0x4B, 0x03, 0x04, 1, 2},
                                "application/python-egg")
                        .status())
                .isEqualTo(201);
        var latest = server.get("/binaries/versions").json();
        assertThat(latest.get("binary-type").asText()).isEqualTo("Egg");
        assertThat(latest.get("upload-time").asText()).isGreaterThanOrEqualTo(first);
        assertThat(server.post("/binaries/wheel", new byte[] {0x50, 0x4B, 0x03, 0x04}, "application/python-wheel")
                        .status())
                .isEqualTo(201);
        assertThat(server.get("/binaries/wheel").json().get("binary-type").asText())
                .isEqualTo("Wheel");
        assertThat(server.post("/binaries/legacy", new byte[] {0x50, 0x4B, 0x03, 0x04}, "application/python-archive")
                        .status())
                .isEqualTo(201);
        assertThat(server.get("/binaries/legacy").json().get("binary-type").asText())
                .isEqualTo("Egg");
    }

    @Test
    void notAZipIsRefusedAndNotStored() {
        var reply = server.post("/binaries/notzip", "this is not a jar", "application/java-archive");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().toString())
                .isEqualTo("{\"status\":\"ERROR\",\"result\":\"Binary is not of the right format\"}");
        assertThat(server.get("/binaries/notzip").status()).isEqualTo(404);
    }

    @Test
    void unsupportedContentTypeIs415() {
        var reply = server.post("/binaries/form", "a=b", "application/x-www-form-urlencoded");
        assertThat(reply.status()).isEqualTo(415);
        assertThat(reply.json().get("result").asText())
                .isEqualTo("Unsupported binary type application/x-www-form-urlencoded");
    }

    @Test
    void tooLargeUploadIs413AndNotStored() {
        byte[] big = new byte[3 << 20];
        big[0] = 0x50;
        big[1] = 0x4B;
        big[2] = 0x03;
        big[3] = 0x04;
        var reply = server.post("/binaries/big", big, "application/java-archive");
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(server.get("/binaries/big").status()).isEqualTo(404);
    }

    @Test
    void unknownBinaryIs404() {
        var reply = server.get("/binaries/nope");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().get("result").asText()).isEqualTo("Can't find binary with name nope");
    }

    @Test
    void methodOverrideAndErrorsAreJson() throws Exception {
        byte[] jar = Files.readAllBytes(TestingJobServer.examplesJar());
        assertThat(server.post("/binaries/override", jar, "application/java-archive")
                        .status())
                .isEqualTo(201);
        var delete = server.post("/binaries/override?_method=DELETE", "", "text/plain");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(server.get("/binaries/override").status()).isEqualTo(404);

        var notImplemented = server.post("/binaries/override?_method=FROB", "", "text/plain");
        assertThat(notImplemented.status()).isEqualTo(501);
        assertThat(notImplemented.json().get("status").asText()).isEqualTo("ERROR");

        var wrongMethod = server.request("PATCH", "/binaries");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.json().get("status").asText()).isEqualTo("ERROR");

        var unknown = server.get("/no/such/route");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("status").asText()).isEqualTo("ERROR");
    }
}
