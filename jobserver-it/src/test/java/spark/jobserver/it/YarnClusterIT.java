package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Contexts on a real YARN ({@link MiniYarn}: a ResourceManager and a 2-vcore, 4 GB NodeManager on loopback), in
 * client and in cluster deploy mode, with no Spark installation: the server finds the ResourceManager through
 * {@code HADOOP_CONF_DIR} ({@code spark.jobserver.driver.environment}) and YARN's containers get Spark from the
 * bundled runtime (one archive the server builds, {@code spark.yarn.archive}) or, in the forced-stop tests, from
 * jars the node has ({@code spark.yarn.jars} as {@code local:} URIs). YARN's side is checked through the
 * ResourceManager's own REST API. One context at a time: an application master and an executor of 512m each.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterIT {
    private static final Duration END = Duration.ofSeconds(60);
    private static final String SETTINGS = "memory-per-node=512m&launcher.spark.driver.memory=512m"
            + "&spark.executor.instances=1&spark.executor.cores=1&spark.yarn.am.memory=512m";
    private static MiniYarn yarn;
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        yarn = MiniYarn.start();
        server = TestingJobServer.start("spark.master = yarn\n"
                + "spark.jobserver.yarn-context-creation-timeout = 180s\n"
                + "spark.jobserver.yarn-context-deletion-timeout = 60s\n"
                + "spark.jobserver.driver.environment.HADOOP_CONF_DIR = \"" + yarn.confDir() + "\"\n"
                + "spark.context-settings.spark.yarn.stagingDir = \"" + yarn.stagingDir() + "\"\n");
        server.uploadExamples("test");
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (yarn != null) {
                // what spark-submit's uploads leave behind once every application ended (docs/clusters.md, YARN)
                try (var left = Files.walk(yarn.stagingDir(), 3)) { // <dir>/<user>/.sparkStaging/<application>
                    System.out.println("YARN staging directories left: "
                            + left.map(p -> p.getFileName().toString())
                                    .filter(name -> name.startsWith("application_"))
                                    .toList());
                } catch (IOException e) {
                    System.out.println("YARN staging directories left: none (" + e + ")");
                }
                yarn.close();
            }
        }
    }

    /**
     * {@code spark.yarn.jars} as {@code local:} URIs of the runtime's jars: jars every node has at the same path
     * (here the nodes are this host), which YARN neither uploads nor localizes.
     */
    private static String localJars() {
        try {
            String classpath = Files.readString(
                            Path.of(TestingJobServer.requiredProperty("jobserver.driver.classpath-file")))
                    .trim();
            return "spark.context-settings.spark.yarn.jars = \""
                    + Arrays.stream(classpath.split(File.pathSeparator))
                            .filter(jar -> jar.endsWith(".jar"))
                            .map(jar -> "local:" + jar)
                            .collect(Collectors.joining(","))
                    + "\"";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String createContext(String name, String settings, String mode) {
        return createContext(name, settings, "", mode);
    }

    private static String createContext(String name, String settings, String body, String mode) {
        long started = System.nanoTime();
        var reply = server.post("/contexts/" + name + "?" + settings, body);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        System.out.printf("CONTEXT-START yarn %s: %.1f s%n", mode, (System.nanoTime() - started) / 1e9);
        JsonNode context = server.get("/contexts/" + name).json();
        String appId = context.get("applicationId").asText();
        assertThat(appId).as(context.toString()).matches("application_\\d+_\\d+");
        return appId;
    }

    private static String driverLog(String contextId) {
        try {
            return Files.readString(
                    server.root().resolve("contexts").resolve(contextId).resolve("driver.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode wordCount(String context) {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + context
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("result");
    }

    @Test
    @Order(1)
    void aClientModeContextRunsItsExecutorsInYarnContainers() {
        String appId = createContext("yarn-client", SETTINGS, "client");
        JsonNode app = yarn.awaitApp(appId, a -> a.path("state").asText().equals("RUNNING"), END);
        assertThat(app.path("name").asText()).isEqualTo("yarn-client");
        assertThat(app.path("applicationType").asText()).isEqualTo("SPARK");
        // Spark reached YARN's containers as the server's one archive of the bundled runtime
        String contextId = server.get("/contexts/yarn-client").json().get("id").asText();
        assertThat(driverLog(contextId))
                .containsPattern("Uploading resource file:" + server.root() + "/yarn/spark-runtime-[0-9a-f]{16}\\.zip");
        // the driver runs here: YARN runs the application master (ExecutorLauncher) and the executor
        assertThat(wordCount("yarn-client").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(yarn.app(appId).path("runningContainers").asInt()).isEqualTo(2);

        assertThat(server.delete("/contexts/yarn-client").status()).isEqualTo(200);
        JsonNode ended = yarn.awaitApp(appId, a -> a.path("state").asText().equals("FINISHED"), END);
        assertThat(ended.path("finalStatus").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(2)
    void aClusterModeContextsDriverRunsInTheApplicationMasterAndDialsBack() {
        String appId = createContext("yarn-cluster", SETTINGS + "&spark.submit.deployMode=cluster", "cluster");
        JsonNode app = yarn.app(appId);
        assertThat(app.path("state").asText()).isEqualTo("RUNNING");
        assertThat(app.path("name").asText()).isEqualTo("yarn-cluster");

        // jobs, their binaries (fetched from the server over HTTP) and stream results flow as on one host
        assertThat(wordCount("yarn-cluster").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        var stream = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.StreamResultJob&context=yarn-cluster&sync=true&timeout=60",
                "stream.size = 12");
        assertThat(stream.body()).isEqualTo("{\"result\":\"0123456789\"}");

        // a graceful stop: the driver stops its context and exits, and YARN sees its application succeed
        assertThat(server.delete("/contexts/yarn-cluster").status()).isEqualTo(200);
        assertThat(server.get("/contexts/yarn-cluster").json().get("state").asText())
                .isEqualTo("FINISHED");
        JsonNode ended = yarn.awaitApp(appId, a -> a.path("state").asText().equals("FINISHED"), END);
        assertThat(ended.path("finalStatus").asText()).isEqualTo("SUCCEEDED");
    }

    @Test
    @Order(3)
    void aForcedStopKillsAClusterModeApplicationThroughTheResourceManager() {
        String appId = createContext(
                "yarn-kill", SETTINGS + "&spark.submit.deployMode=cluster", localJars(), "cluster (local: jars)");

        assertThat(server.delete("/contexts/yarn-kill?force=true").status()).isEqualTo(200);
        assertThat(server.get("/contexts/yarn-kill").json().get("state").asText())
                .isEqualTo("FINISHED");
        JsonNode ended = yarn.awaitApp(appId, a -> a.path("state").asText().equals("KILLED"), END);
        assertThat(ended.path("finalStatus").asText()).isEqualTo("KILLED");
    }

    @Test
    @Order(4)
    void aForcedStopOfAClientModeContextKillsItsDriverAndYarnEndsTheApplicationFailed() {
        String appId = createContext("yarn-client-kill", SETTINGS, localJars(), "client (local: jars)");

        assertThat(server.delete("/contexts/yarn-client-kill?force=true").status())
                .isEqualTo(200);
        // the application master loses its driver: with clientModeTreatDisconnectAsFailed (our default) YARN
        // reports the application FAILED instead of a SUCCEEDED that would hide the end of a driver
        JsonNode ended = yarn.awaitApp(appId, a -> a.path("state").asText().equals("FINISHED"), END);
        assertThat(ended.path("finalStatus").asText()).isEqualTo("FAILED");
        assertThat(yarn.apps())
                .allSatisfy(a -> assertThat(a.path("state").asText()).isIn("FINISHED", "KILLED", "FAILED"));
    }
}
