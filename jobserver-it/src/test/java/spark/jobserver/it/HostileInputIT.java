package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * Hostile input: each case gets a clear 4xx JSON error, no side effect and no stack trace. The
 * request size limit is lowered so that oversized bodies stay small.
 */
class HostileInputIT {
    /** Above the examples jar (about 100 KiB, which a test uploads), far below the default. */
    static final int LIMIT = 256 * 1024;

    static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("akka.http.server.parsing.max-content-length = " + LIMIT + "\n");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A clean refusal: the status, a JSON error envelope, and nothing of the server's insides. */
    static void assertRefused(Reply reply, int status) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type").orElse("")).as(reply.toString()).startsWith("application/json");
        assertThat(reply.json().path("status").asText()).as(reply.toString()).isEqualTo("ERROR");
        assertThat(reply.body())
                .doesNotContain("\tat ")
                .doesNotContain("Exception")
                .doesNotContain("<html");
    }

    /** The refusal of a HEAD request: the status and the JSON content type, no body. */
    static void assertRefusedHead(Reply reply, int status) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type").orElse("")).as(reply.toString()).startsWith("application/json");
        assertThat(reply.body()).isEmpty();
    }

    /** A request as written, malformed or not (the JDK client refuses malformed targets). */
    static Reply raw(String method, String target, String body, String... headers) {
        return RawHttp.send(
                java.net.URI.create(server.baseUrl()).getPort(),
                method,
                target,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8),
                headers);
    }

    static Reply raw(String method, String target) {
        return raw(method, target, null);
    }

    @Test
    void malformedPercentEncodingsInQueryStringsAre400OnEveryRoute() {
        List<String> paths = List.of(
                "/binaries",
                "/binaries/app",
                "/contexts",
                "/contexts/ctx",
                "/jobs",
                "/jobs/some-id",
                "/jobs/some-id/config",
                "/data",
                "/healthz",
                "/driver/binaries/x",
                "/nowhere");
        List<String> queries = List.of(
                "_method=%ZZ",
                "_method=%", "status=%ZZ", "status=%00", "%ZZ=1", "a=%2", "a=%E9", "a=%C3%28", "a=1&b=%G0");
        for (String path : paths) {
            for (String query : queries) {
                Reply get = raw("GET", path + "?" + query);
                assertRefused(get, 400);
                assertThat(get.json().path("result").asText()).startsWith("Invalid query string: ");
                assertRefusedHead(raw("HEAD", path + "?" + query), 400);
            }
        }
        assertThat(raw("GET", "/binaries?_method=%ZZ").json().path("result").asText())
                .isEqualTo("Invalid query string: '%ZZ' is not a percent-encoded byte (% and two hex digits)");
        assertThat(raw("GET", "/jobs?status=%ZZ").json().path("result").asText())
                .isEqualTo("Invalid query string: '%ZZ' is not a percent-encoded byte (% and two hex digits)");
        assertThat(raw("GET", "/jobs?status=%00").json().path("result").asText())
                .isEqualTo("Invalid query string: it contains an encoded NUL character (%00)");
        assertThat(raw("GET", "/jobs?status=%E9").json().path("result").asText())
                .isEqualTo("Invalid query string: its percent-encoded bytes are not UTF-8");

        // any method, before anything happens
        assertRefused(raw("POST", "/contexts/ctx?num-cpu-cores=%ZZ", ""), 400);
        assertRefused(raw("POST", "/jobs?appName=none&classPath=x&context=%E9", ""), 400);
        assertRefused(raw("DELETE", "/binaries/app?_method=%ZZ"), 400);
        assertRefused(raw("PUT", "/data?reset=reboot&sync=%", ""), 400);
        assertRefused(raw("PATCH", "/jobs?x=%00", ""), 400);
        assertThat(server.get("/contexts").json().size()).isZero();
        assertThat(server.get("/jobs").json().size()).isZero();

        // well-formed encodings are read as before
        assertThat(raw("GET", "/jobs?status=%46INISHED&limit=%31").status()).isEqualTo(200);
        assertThat(raw("GET", "/jobs?_method=%47ET&status=caf%C3%A9").status()).isEqualTo(200);
        Reply override = raw("GET", "/jobs?_method=FOO");
        assertRefused(override, 501);
        assertThat(override.json().path("result").asText()).isEqualTo("Unsupported HTTP method: FOO");
        assertRefusedHead(raw("HEAD", "/jobs?_method=FOO"), 501);
    }

    @Test
    void malformedPercentEncodingsInPathsAre400WithTheEnvelopeWhateverTheMethod() {
        List<String> paths = List.of(
                "/binaries/a%ZZb",
                "/binaries/a%",
                "/data/%E9",
                "/jobs/%C3%28",
                "/contexts/a%00b",
                "/jobs/%0D%0A",
                "/binaries/%7F",
                "/binaries/a;b%ZZ",
                "/binaries/;%E9",
                "/data/x;%00");
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO")) {
            for (String path : paths) {
                assertRefused(raw(method, path, method.equals("GET") ? null : ""), 400);
            }
        }
        // Javalin decodes ";parameters" with the path parameters; Jetty does not check them
        assertThat(raw("POST", "/binaries/a;b%ZZ", "PK").json().path("result").asText())
                .isEqualTo("Invalid path: '%ZZ' is not a percent-encoded byte (% and two hex digits)");
        assertRefusedHead(raw("HEAD", "/binaries/a;b%ZZ"), 400);
        assertRefusedHead(raw("HEAD", "/binaries/%7F"), 400);
        assertRefusedHead(raw("HEAD", "/jobs/%C3%28"), 400);
        assertThat(server.get("/binaries").json().size()).isZero();
    }

    @Test
    void deeplyNestedConfigsAre400() {
        List<String> bodies = List.of(
                "a = " + "[".repeat(5_000) + "]".repeat(5_000),
                "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000),
                "a {".repeat(5_000) + "}".repeat(5_000),
                "a" + ".a".repeat(10_000) + " = 1",
                ("x.".repeat(99) + "x {").repeat(100) + "}".repeat(100));
        for (String body : bodies) {
            assertThat(body.length()).isLessThan(LIMIT);
            Reply job = server.post("/jobs?appName=none&classPath=x", body);
            assertRefused(job, 400);
            assertThat(job.json().path("result").asText())
                    .isEqualTo("Cannot parse config: nested more than 100 levels deep");
            assertRefused(server.post("/contexts/deep", body), 400);
        }
        Reply query = server.post("/contexts/deep?" + "a.".repeat(3_500) + "a=1", "");
        assertRefused(query, 400);
        assertThat(query.json().path("result").asText())
                .isEqualTo("Invalid query parameter: a key nested more than 100 levels deep");
        // as deep as allowed is fine: the job is refused for its unknown binary only
        Reply deepEnough = server.post("/jobs?appName=none&classPath=x", "a = " + "[".repeat(99) + "]".repeat(99));
        assertRefused(deepEnough, 404);
        assertThat(server.get("/contexts").json().size()).isZero();
    }

    @Test
    void bodiesInACharsetTheServerDoesNotKnowAre415() {
        for (String contentType :
                List.of("text/plain; charset=does-not-exist", "text/plain; charset=", "application/json; charset=\"")) {
            Reply reply =
                    raw("POST", "/jobs?appName=none&classPath=x", "input.string = x", "Content-Type", contentType);
            assertRefused(reply, 415);
            assertThat(reply.json().path("result").asText()).startsWith("Unsupported charset ");
            assertRefused(raw("POST", "/contexts/charset", "", "Content-Type", contentType), 415);
        }
        // a charset it knows is used
        Reply latin1 = server.post(
                "/jobs?appName=none&classPath=x",
                "input.string = \"caf\u00e9\"".getBytes(StandardCharsets.ISO_8859_1),
                "text/plain; charset=ISO-8859-1");
        assertRefused(latin1, 404);
        assertThat(server.get("/contexts").json().size()).isZero();
    }

    @Test
    void pathTraversalInBinaryNamesIsRefused() {
        byte[] zip = {0x50, 0x4B, 0x03, 0x04, 0, 0};
        for (String name : List.of("..%2F..%2Fevil", "a%2Fb", "%2Fetc%2Fpasswd", ".hidden", "a%5C..%5Cb")) {
            assertRefused(server.post("/binaries/" + name, zip, "application/java-archive"), 400);
        }
        // dot segments, plain or encoded, never reach a route
        for (String path : List.of("/binaries/%2e%2e/%2e%2e/evil", "/binaries/..%2f..%2fevil/%2e%2e")) {
            Reply reply = server.post(path, zip, "application/java-archive");
            assertThat(reply.status()).as(path).isIn(400, 404);
            assertThat(reply.body()).doesNotContain("\tat ");
        }
        assertThat(server.get("/binaries").json().size()).isZero();
    }

    @Test
    void pathTraversalInContextNamesIsRefused() {
        assertRefused(server.post("/contexts/..%2F..%2Fevil", ""), 400);
        assertRefused(server.post("/contexts/a%2F..%2F..%2Fevil", ""), 400);
        assertRefused(server.post("/contexts/a%5C..%5Cevil", ""), 400);
        assertRefused(server.post("/contexts/" + "a".repeat(300), ""), 400);
        assertThat(server.get("/contexts").json().size()).isZero();
        assertThat(server.root().resolve("contexts"))
                .satisfiesAnyOf(
                        p -> assertThat(Files.exists(p)).isFalse(),
                        p -> assertThat(listing(p)).isEmpty());
    }

    @Test
    void pathTraversalInDataNamesIsRefusedAndNothingOutsideIsTouched() throws Exception {
        assertRefused(server.post("/data/..%2F..%2Fevil", "x"), 400);
        assertRefused(server.post("/data/a%2Fb", "x"), 400);
        Path outside = Files.createTempFile("outside", ".dat");
        try {
            String encoded = java.net.URLEncoder.encode(outside.toString(), StandardCharsets.UTF_8);
            Reply delete = server.delete("/data/" + encoded);
            assertThat(delete.status()).isBetween(400, 404);
            assertThat(delete.json().path("status").asText()).isEqualTo("ERROR");
            assertThat(outside).exists();
            String traversal = java.net.URLEncoder.encode(
                    server.root()
                            .resolve("upload/../../" + outside.getFileName())
                            .toString(),
                    StandardCharsets.UTF_8);
            assertThat(server.delete("/data/" + traversal).status()).isBetween(400, 404);
            assertThat(outside).exists();
            // the drivers' fetch route wants a driver's proof
            assertRefused(server.get("/driver/data/" + encoded), 403);
        } finally {
            Files.deleteIfExists(outside);
        }
        assertThat(server.get("/data").json().size()).isZero();
    }

    @Test
    void oversizedBodiesAre413AndNotStored() {
        byte[] big = new byte[LIMIT * 2];
        big[0] = 0x50;
        big[1] = 0x4B;
        big[2] = 0x03;
        big[3] = 0x04;
        assertRefused(server.post("/binaries/big", big, "application/java-archive"), 413);
        assertThat(server.get("/binaries").json().has("big")).isFalse();
        assertRefused(server.post("/data/big.txt", big, "text/plain"), 413);
        assertThat(server.get("/data").json().size()).isZero();
        String bigConfig = "input.string = \"" + "a ".repeat(LIMIT) + "\"";
        assertRefused(server.post("/jobs?appName=none&classPath=x", bigConfig), 413);
        assertRefused(server.post("/contexts/bigctx", bigConfig), 413);
        assertThat(server.get("/contexts").json().size()).isZero();
        assertThat(server.get("/jobs").json().size()).isZero();
    }

    @Test
    void malformedConfigsAre400() {
        for (String body : List.of("{{{", "a = [", "{\"input\": ", "a = ${undefined.reference}", "\"unterminated")) {
            Reply job = server.post("/jobs?appName=none&classPath=x", body);
            assertRefused(job, 400);
            assertThat(job.json().path("result").asText()).startsWith("Cannot parse config");
            assertRefused(server.post("/contexts/malformed", body), 400);
        }
        assertThat(server.get("/contexts").json().size()).isZero();
        assertThat(server.get("/jobs").json().size()).isZero();
    }

    @Test
    void contextSettingsThatCannotWorkAre400NamingTheSettingAndStartNoDriver() {
        List<List<String>> cases = List.of(
                List.of("?memory-per-node=%24%7Bx%7D", "", "memory-per-node: '${x}' is not a memory size"),
                List.of("?num-cpu-cores=-1", "", "num-cpu-cores: '-1' is not a whole number of at least 1"),
                List.of(
                        "",
                        "spark.context-settings { launcher.spark.driver.memory = lots }",
                        "launcher.spark.driver.memory: 'lots' is not a memory size"),
                List.of(
                        "",
                        "spark.context-settings { memory-per-node { a = 1 } }",
                        "memory-per-node must be a single value, not an object"),
                List.of("?launcher.spark.master=mesos://m:5050", "", "launcher.spark.master: 'mesos://m:5050'"),
                List.of("?context-init-timeout=soon", "", "context-init-timeout: 'soon' is not a duration"));
        for (List<String> c : cases) {
            Reply reply = server.post("/contexts/settings" + c.get(0), c.get(1));
            assertRefused(reply, 400);
            assertThat(reply.json().path("result").asText())
                    .as(c.get(0) + c.get(1))
                    .startsWith("Invalid context settings: ")
                    .contains(c.get(2));
        }
        assertRefused(server.get("/contexts/settings"), 404);
        // an ad-hoc job's context settings too, before its context is made
        server.uploadExamples("settings-app");
        try {
            Reply adhoc =
                    server.post("/jobs?appName=settings-app&classPath=x", "spark.context-settings.num-cpu-cores = 0");
            assertRefused(adhoc, 400);
            assertThat(adhoc.json().path("result").asText()).contains("num-cpu-cores: '0'");
            Reply notAnObject = server.post("/jobs?appName=settings-app&classPath=x", "spark.context-settings = 3");
            assertRefused(notAnObject, 400);
            assertThat(notAnObject.json().path("result").asText()).startsWith("Cannot parse config");
        } finally {
            server.delete("/binaries/settings-app");
        }
        Reply jars = server.post("/jobs?appName=none&classPath=x", "dependent-jar-uris = { a = 1 }");
        assertRefused(jars, 400);
        assertThat(jars.json().path("result").asText()).startsWith("Cannot parse config");
        assertThat(server.get("/jobs").json().size()).isZero();
        assertThat(drivers()).isEmpty();
    }

    @Test
    void includesInAClientsConfigAreRefused() throws Exception {
        Path secret = Files.writeString(server.root().resolve("server-only.conf"), "stolen = yes");
        for (String body : List.of(
                "include file(\"" + secret + "\")",
                "include \"" + secret + "\"",
                "include url(\"" + secret.toUri() + "\")")) {
            Reply job = server.post("/jobs?appName=none&classPath=x", body);
            assertRefused(job, 400);
            assertThat(job.json().path("result").asText())
                    .startsWith("Cannot parse config")
                    .contains("include is not allowed in a request");
            assertRefused(server.post("/contexts/included", body), 400);
        }
        assertThat(server.get("/jobs").json().size()).isZero();
    }

    @Test
    void wronglyTypedQueryParametersAre400() {
        assertRefused(server.get("/jobs?limit=abc"), 400);
        assertRefused(server.get("/jobs?limit=-1"), 400);
        assertRefused(server.post("/jobs?appName=none&classPath=x&timeout=abc", ""), 400);
        assertRefused(server.post("/jobs?appName=none&classPath=x&sync=perhaps", ""), 400);
        assertRefused(server.delete("/contexts/none?force=maybe"), 400);
        assertRefused(server.put("/data?reset=reboot&sync=sometimes", ""), 400);
        assertThat(server.get("/jobs").json().size()).isZero();
    }

    @Test
    void overlongUrlsAndHeadersGetJsonErrors() {
        Reply longUrl = server.get("/binaries/" + "x".repeat(20_000));
        assertThat(longUrl.status()).isIn(414, 431);
        assertThat(longUrl.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(longUrl.body()).doesNotContain("<html");
        Reply longQuery = server.get("/jobs?limit=1&pad=" + "y".repeat(20_000));
        assertThat(longQuery.status()).isIn(414, 431);
        assertThat(longQuery.json().path("status").asText()).isEqualTo("ERROR");
        Reply bigHeader = server.send("GET", "/binaries", "", "X-Padding", "z".repeat(20_000));
        assertThat(bigHeader.status()).isEqualTo(431);
        assertThat(bigHeader.json().path("result").asText()).isEqualTo("Request header fields too large");
        // the server is fine afterwards
        assertThat(server.get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void concurrentCreatesAndDeletesOfOneNameLeaveOneDriverAtMost() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Reply> creates = race(pool, 4, () -> server.post("/contexts/race", ""));
            assertThat(creates.stream().filter(r -> r.status() == 200)).hasSize(1);
            assertThat(creates.stream().filter(r -> r.status() == 400))
                    .hasSize(3)
                    .allSatisfy(
                            r -> assertThat(r.json().path("result").asText()).isEqualTo("context race exists"));
            assertThat(drivers()).hasSize(1);

            // a delete racing a create of the same name: whatever the order, no second driver and no orphan
            List<Reply> mixed =
                    race(pool, 2, () -> server.delete("/contexts/race"), () -> server.post("/contexts/race", ""));
            assertThat(mixed.get(0).status()).as(mixed.get(0).toString()).isEqualTo(200);
            assertThat(mixed.get(1).status()).as(mixed.get(1).toString()).isIn(200, 400);
            List<String> listed = new ArrayList<>();
            server.get("/contexts").json().forEach(n -> listed.add(n.asText()));
            assertThat(listed).isSubsetOf("race").doesNotHaveDuplicates();
            awaitDrivers(listed.size());
            if (!listed.isEmpty()) {
                assertThat(server.delete("/contexts/race").status()).isEqualTo(200);
            }
            awaitDrivers(0);
        } finally {
            pool.shutdownNow();
        }
    }

    @SafeVarargs
    private static List<Reply> race(ExecutorService pool, int n, Callable<Reply>... calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Reply>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Callable<Reply> call = calls[i % calls.length];
            futures.add(pool.submit(() -> {
                go.await();
                return call.call();
            }));
        }
        go.countDown();
        List<Reply> replies = new ArrayList<>();
        for (Future<Reply> f : futures) {
            replies.add(f.get());
        }
        return replies;
    }

    /** Live driver JVMs of this server: processes running in a context directory under its root. */
    private static List<ProcessHandle> drivers() {
        Path contexts = server.root().resolve("contexts");
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .filter(p -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                                .startsWith(contexts);
                    } catch (Exception e) {
                        return false;
                    }
                })
                .toList();
    }

    private static void awaitDrivers(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (drivers().size() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + expected + " driver(s), found "
                        + drivers().size());
            }
            Thread.sleep(200);
        }
    }

    private static List<Path> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
