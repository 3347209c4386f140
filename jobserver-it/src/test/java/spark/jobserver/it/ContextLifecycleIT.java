package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Contexts declared in the configuration (started at boot, in the background), binaries declared in the
 * configuration (uploaded at boot, once), context-level dependent jars, {@code PUT /contexts?reset=reboot}
 * in both variants, {@code DELETE ?force=true}, and the {@code _method} override on these routes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContextLifecycleIT {
    private static final String BOOT = "boot-ctx";
    private static final Duration START = Duration.ofSeconds(120);
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("""
                spark.jobserver.job-bin-paths { test = "%s" }
                spark.contexts { %s { num-cpu-cores = 1, dependent-jar-uris = "test" } }
                """.formatted(TestingJobServer.examplesJar(), BOOT));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String bootContextId() {
        JsonNode ctx = server.await(
                        "/contexts/" + BOOT,
                        r -> r.status() == 200 && r.json().get("state").asText().equals("RUNNING"),
                        START)
                .json();
        return ctx.get("id").asText();
    }

    @Test
    @Order(1)
    void configuredBinariesAreUploadedAndConfiguredContextsStartInTheBackground() throws Exception {
        // the server answers while the context is still starting
        assertThat(server.get("/healthz").status()).isEqualTo(200);
        assertThat(server.get("/binaries/test").json().get("binary-type").asText())
                .isEqualTo("Jar");

        String id = bootContextId();
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).containsExactly(BOOT);

        // the driver's configuration comes from the server, to its own driver only, over HTTP; it is in no file
        String path = "/driver/contexts/" + id + "/config";
        String secret = contextSecret(id);
        var fetched = server.send("GET", path, "", "X-Jobserver-Driver", id + ":" + DriverAuth.mac(secret, path));
        assertThat(fetched.status()).as(fetched.toString()).isEqualTo(200);
        assertThat(server.get(path).status()).isEqualTo(403);
        String other = "/driver/contexts/" + UUID.randomUUID() + "/config";
        assertThat(server.send("GET", other, "", "X-Jobserver-Driver", id + ":" + DriverAuth.mac(secret, other))
                        .status())
                .isEqualTo(403);
        assertThat(server.root().resolve("contexts").resolve(id).resolve("driver.conf"))
                .doesNotExist();
        // the context's dependent jar went to its driver as an uploaded binary, by hash
        Config driverConf = ConfigFactory.parseString(fetched.body());
        List<? extends Config> binaries = driverConf.getConfigList("driver.context-binaries");
        assertThat(binaries).hasSize(1);
        assertThat(binaries.get(0).getString("name")).isEqualTo("test");
        assertThat(binaries.get(0).getString("sha256")).isEqualTo(sha256(TestingJobServer.examplesJar()));

        var job = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + BOOT
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(job.status()).as(job.toString()).isEqualTo(200);
        assertThat(job.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
    }

    @Test
    @Order(2)
    void driversFetchDataFilesWithTheirSignature() throws Exception {
        String id = bootContextId();
        String file = server.post("/data/input.txt", "some data", "text/plain")
                .json()
                .get("result")
                .get("filename")
                .asText();
        String secret = contextSecret(id);
        String path = "/driver/data/"
                + URLEncoder.encode(file, StandardCharsets.UTF_8).replace("+", "%20");

        var fetched = server.send("GET", path, "", "X-Jobserver-Driver", id + ":" + DriverAuth.mac(secret, path));
        assertThat(fetched.status()).as(fetched.toString()).isEqualTo(200);
        assertThat(fetched.body()).isEqualTo("some data");

        // a job finds the uploaded file through its environment (on this host: the server's file itself)
        var job = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.RemoteDataFileJob&context=" + BOOT
                        + "&sync=true&timeout=60",
                "testFile = \"" + file + "\"");
        assertThat(job.status()).as(job.toString()).isEqualTo(200);
        assertThat(job.json().get("result").asText()).isEqualTo(file);

        // the signature covers the path as sent: signing the decoded path does not do
        var decoded = server.send(
                "GET", path, "", "X-Jobserver-Driver", id + ":" + DriverAuth.mac(secret, "/driver/data/" + file));
        assertThat(decoded.status()).isEqualTo(403);
        // a valid signature does not open files that are not data files
        Path outside = Files.writeString(server.root().resolve("secret.txt"), "not for drivers");
        String other = "/driver/data/" + URLEncoder.encode(outside.toString(), StandardCharsets.UTF_8);
        var refused = server.send("GET", other, "", "X-Jobserver-Driver", id + ":" + DriverAuth.mac(secret, other));
        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.body()).doesNotContain("not for drivers");
    }

    @Test
    @Order(3)
    void configuredBinariesAreNotUploadedAgainAfterARestart() {
        String uploaded = server.get("/binaries/test").json().get("upload-time").asText();
        String id = bootContextId();
        server.restart();
        assertThat(server.get("/binaries/test").json().get("upload-time").asText())
                .isEqualTo(uploaded);
        // the configured context's driver re-attached; no second one was started
        server.await("/contexts", r -> r.json().toString().contains(BOOT), START);
        assertThat(server.get("/contexts/" + BOOT).json().get("id").asText()).isEqualTo(id);
    }

    @Test
    @Order(4)
    void unknownContextBinariesAreRefusedBeforeAnyDriverStarts() throws Exception {
        long before = contextDirs();
        var unknown = server.post("/contexts/bad-deps?dependent-jar-uris=test,nope", "");
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(404);
        assertThat(unknown.json().get("result").asText()).contains("nope");
        var listed = server.post("/contexts/bad-deps", "spark.context-settings { cp = [\"missing-jar\"] }");
        assertThat(listed.status()).isEqualTo(404);
        assertThat(listed.json().get("result").asText()).contains("missing-jar");
        var malformed = server.post("/contexts/bad-deps?dependent-jar-uris=http://%5Bbad", "");
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.json().get("status").asText()).isEqualTo("CONTEXT INIT ERROR: Malformed URL");
        assertThat(server.get("/contexts/bad-deps").status()).isEqualTo(404);
        assertThat(contextDirs()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void resetNeedsAKnownResetValue() {
        var missing = server.put("/contexts", "");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("result").asText())
                .isEqualTo("Request is missing required query parameter 'reset'");
        var unknown = server.put("/contexts?reset=everything", "");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).contains(BOOT);
    }

    @Test
    @Order(6)
    void resetStopsEveryContextAndStartsTheConfiguredOnes() {
        String oldBoot = bootContextId();
        server.createContext("extra", "num-cpu-cores=1");
        String extra = server.get("/contexts/extra").json().get("id").asText();

        var reset = server.put("/contexts?reset=reboot", "");
        assertThat(reset.status()).as(reset.toString()).isEqualTo(200);
        assertThat(reset.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context reset\"}");

        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).containsExactly(BOOT);
        JsonNode boot = server.get("/contexts/" + BOOT).json();
        assertThat(boot.get("state").asText()).isEqualTo("RUNNING");
        assertThat(boot.get("id").asText()).isNotEqualTo(oldBoot);
        JsonNode stopped = server.get("/contexts/extra").json();
        assertThat(stopped.get("id").asText()).isEqualTo(extra);
        assertThat(stopped.get("state").asText()).isEqualTo("FINISHED");
        assertThat(server.driverProcess(extra)).isEmpty();
        assertThat(server.driverProcess(oldBoot)).isEmpty();
    }

    @Test
    @Order(7)
    void asyncResetThroughTheMethodOverrideRecreatesConfiguredContextsToo() {
        String oldBoot = bootContextId();
        var reset = server.post("/contexts?reset=reboot&sync=false&_method=PUT", "");
        assertThat(reset.status()).as(reset.toString()).isEqualTo(200);
        assertThat(reset.json().toString())
                .isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context reset requested\"}");

        JsonNode boot = server.await(
                        "/contexts/" + BOOT,
                        r -> r.status() == 200
                                && !r.json().get("id").asText().equals(oldBoot)
                                && r.json().get("state").asText().equals("RUNNING"),
                        START)
                .json();
        assertThat(boot.get("endTime").asText()).isEqualTo("Empty");
        assertThat(server.get("/contexts").json()).extracting(JsonNode::asText).containsExactly(BOOT);
    }

    @Test
    @Order(8)
    void methodOverridesKillAJobAndForceDeleteAContext() {
        String id = bootContextId();
        ProcessHandle driver = server.driverProcess(id).orElseThrow();
        List<ProcessHandle> tree =
                Stream.concat(Stream.of(driver), driver.descendants()).toList();
        String killed = startSleep();
        String running = startSleep();

        var kill = server.post("/jobs/" + killed + "?_method=DELETE", "");
        assertThat(kill.status()).as(kill.toString()).isEqualTo(200);
        assertThat(kill.json().toString()).isEqualTo("{\"status\":\"KILLED\"}");
        assertThat(server.get("/jobs/" + running).json().get("status").asText()).isEqualTo("RUNNING");

        var deleted = server.post("/contexts/" + BOOT + "?force=true&_method=DELETE", "");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        assertThat(deleted.json().toString()).isEqualTo("{\"status\":\"SUCCESS\",\"result\":\"Context stopped\"}");
        assertThat(tree)
                .allSatisfy(p -> assertThat(p.isAlive()).as("pid " + p.pid()).isFalse());
        assertThat(server.get("/contexts/" + BOOT).json().get("state").asText()).isEqualTo("FINISHED");
        JsonNode job = server.get("/jobs/" + running).json();
        assertThat(job.get("status").asText()).isEqualTo("KILLED");
        assertThat(server.get("/contexts").json()).isEmpty();
    }

    @Test
    @Order(9)
    void anAdhocContextForAProxyUserCarriesTheUsersName() {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.NoOpJob&sync=true&timeout=120",
                "spark.context-settings { spark.proxy.user = alice }");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode job = server.get("/jobs/" + reply.json().get("jobId").asText()).json();
        assertThat(job.get("context").asText()).matches("alice~[0-9a-f]{8}-spark\\.jobserver\\.NoOpJob");
    }

    private static String startSleep() {
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + BOOT, "sleep.time.millis = 120000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        return started.json().get("jobId").asText();
    }

    private static long contextDirs() throws Exception {
        Path dir = server.root().resolve("contexts");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.count();
        }
    }

    /**
     * The context's secret as its driver holds it: only in the driver's environment (the server keeps a
     * verifier that cannot sign), so it is read from the driver process (Linux /proc).
     */
    private static String contextSecret(String contextId) throws Exception {
        ProcessHandle driver = server.driverProcess(contextId).orElseThrow();
        Path environ = Path.of("/proc", Long.toString(driver.pid()), "environ");
        Assumptions.assumeTrue(Files.isReadable(environ), "needs /proc/<pid>/environ");
        String prefix = DriverLaunch.SECRET_ENV + "=";
        for (String entry : new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).split("\0")) {
            if (entry.startsWith(prefix)) {
                return entry.substring(prefix.length());
            }
        }
        throw new AssertionError("no " + DriverLaunch.SECRET_ENV + " in the driver's environment");
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
