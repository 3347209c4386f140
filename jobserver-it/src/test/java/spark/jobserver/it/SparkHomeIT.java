package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contexts launched through the {@code bin/spark-submit} of real Spark distributions: those the pyspark
 * package of PyPI ships, installed by {@code .ci/spark-homes.sh} into {@code jobserver.spark-homes.dir}
 * ({@code <dir>/<version>/pyspark}). Two Spark versions, neither the bundled one, side by side on one server,
 * each reporting its own version; then what a distribution's {@code conf/spark-defaults.conf} does.
 *
 * <p>Without two distributions installed the class is skipped, saying how to install them; with
 * {@code JOBSERVER_REQUIRE_SPARK_HOMES=true} (set by {@code .ci/run}) that is a failure instead.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkHomeIT {
    static final String REQUIRE = "JOBSERVER_REQUIRE_SPARK_HOMES";
    /** A JVM option of every driver, with what Spark's launcher must get quoted: a blank and a quote. */
    private static final String QUOTED = "it's a b";

    /** One installed distribution. */
    record Distribution(String version, Path home) {
        String contextName() {
            return "spark-" + version.replace('.', '-');
        }
    }

    private static List<Distribution> distributions;
    /** Why the tests are skipped, when they are. */
    private static String missing;

    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        distributions = installed();
        if (distributions.isEmpty()) {
            return;
        }
        server = TestingJobServer.start(
                "spark.jobserver.driver.jvm-options = [\"-Dspark.jobserver.it.quoted=" + QUOTED + "\"]\n");
        server.uploadExamples("test");
    }

    /** Each test skipped on its own, so that the skips are counted and the reason shown. */
    @BeforeEach
    void requireDistributions() {
        Assumptions.assumeTrue(missing == null, missing);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * The two newest distributions in {@code jobserver.spark-homes.dir}; without two, none and {@link #missing}
     * says why, or a failure when they are required.
     */
    private static List<Distribution> installed() {
        Path dir = Path.of(TestingJobServer.requiredProperty("jobserver.spark-homes.dir"))
                .toAbsolutePath()
                .normalize();
        List<Distribution> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> versions = Files.list(dir)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+\\.\\d+\\.\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("pyspark/bin/spark-submit")))
                        .forEach(v -> found.add(new Distribution(v.getFileName().toString(), v.resolve("pyspark"))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        found.sort(Comparator.comparing((Distribution d) -> versionKey(d.version()))
                .reversed());
        if (found.size() < 2) {
            String message = "SparkHomeIT needs two Spark distributions in " + dir + ", found " + found.size()
                    + ": install them with `bash .ci/spark-homes.sh` (pyspark from PyPI, about 1 GB)";
            if (Boolean.parseBoolean(System.getenv(REQUIRE))) {
                throw new AssertionError(message + " (" + REQUIRE + "=true)");
            }
            System.err.println("SKIPPED: " + message);
            missing = message;
            return List.of();
        }
        return found.subList(0, 2);
    }

    private static String versionKey(String version) {
        StringBuilder key = new StringBuilder();
        for (String part : version.split("\\.")) {
            key.append(String.format("%05d", Integer.parseInt(part)));
        }
        return key.toString();
    }

    private static JsonNode run(TestingJobServer on, String context, String classPath, String input) {
        var reply = on.post(
                "/jobs?appName=test&classPath=" + classPath + "&context=" + context + "&sync=true&timeout=60", input);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("result");
    }

    /** The class path of the context's driver JVM, from its command line. */
    private static String driverClasspath(TestingJobServer on, String context) {
        String id = on.get("/contexts/" + context).json().get("id").asText();
        ProcessHandle driver = on.driverProcess(id).orElseThrow(() -> new AssertionError("no driver for " + context));
        // from /proc: ProcessHandle.Info leaves the arguments out when the command line is long
        List<String> args;
        try {
            args = List.of(Files.readString(Path.of("/proc", Long.toString(driver.pid()), "cmdline"))
                    .split("\0"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int cp = args.indexOf("-cp");
        assertThat(cp).as(args.toString()).isNotNegative();
        return args.get(cp + 1);
    }

    @Test
    @Order(1)
    void twoSparkVersionsSideBySideEachRunTheirContextsJobs() {
        for (Distribution d : distributions) {
            long started = System.nanoTime();
            server.createContext(d.contextName(), "spark.home=" + d.home());
            System.out.printf(
                    "CONTEXT-START spark-home %s: %.1f s%n", d.version(), (System.nanoTime() - started) / 1e9);
        }
        // both at once on one server
        List<String> names = new ArrayList<>();
        server.get("/contexts").json().forEach(n -> names.add(n.asText()));
        assertThat(names)
                .containsAll(
                        distributions.stream().map(Distribution::contextName).toList());

        for (Distribution d : distributions) {
            String context = d.contextName();
            JsonNode info = server.get("/contexts/" + context).json();
            assertThat(info.get("state").asText()).isEqualTo("RUNNING");
            assertThat(info.path("applicationId").asText()).as(info.toString()).startsWith("local-");
            // the driver runs on the distribution's jars, started by its spark-submit
            assertThat(driverClasspath(server, context)).contains(d.home().resolve("jars") + "/*");

            assertThat(run(server, context, "spark.jobserver.SparkVersionJob", "")
                            .asText())
                    .isEqualTo(d.version());
            // a job of an uploaded binary, with a shuffle on the executors
            assertThat(run(server, context, "spark.jobserver.WordCountExample", "input.string = a b a")
                            .toString())
                    .isEqualTo("{\"a\":2,\"b\":1}");
            // the server's JVM options for drivers reach the driver intact through spark-submit
            assertThat(run(server, context, "spark.jobserver.SparkConfJob", "keys = [spark.jobserver.it.quoted]")
                            .path("spark.jobserver.it.quoted")
                            .asText())
                    .isEqualTo(QUOTED);
        }

        for (Distribution d : distributions) {
            assertThat(server.delete("/contexts/" + d.contextName()).status()).isEqualTo(200);
        }
    }

    @Test
    @Order(2)
    void aPythonContextOnADistributionRunsThatDistributionsPyspark(@TempDir Path dir) {
        Distribution newest = distributions.get(0);
        Path egg = TestJars.egg(dir, "versions.egg", Map.of("versions_job/__init__.py", """
                        import pyspark

                        class Versions:
                            def validate(self, context, runtime, config):
                                return None

                            def run_job(self, context, runtime, data):
                                words = context.sparkContext.parallelize(['a', 'b', 'a']).countByValue()
                                return {'pyspark': pyspark.__version__, 'spark': context.version,
                                        'words': dict(words)}
                        """));
        PythonJobsIT.upload(server, "versions", egg, "application/python-egg");
        server.createContext(
                "python-" + newest.contextName(),
                "spark.home=" + newest.home() + "&context-factory=spark.jobserver.python.PythonSessionContextFactory");
        var reply = server.post(
                "/jobs?appName=versions&classPath=versions_job.Versions&context=python-" + newest.contextName()
                        + "&sync=true&timeout=60",
                "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        // the Python side is the distribution's own pyspark, not the runtime's (the bundled Spark's version)
        assertThat(reply.json().get("result").toString())
                .isEqualTo("{\"pyspark\":\"" + newest.version() + "\",\"spark\":\"" + newest.version()
                        + "\",\"words\":{\"a\":2,\"b\":1}}");
        assertThat(server.delete("/contexts/python-" + newest.contextName()).status())
                .isEqualTo(200);
    }

    @Test
    @Order(3)
    void aSparkHomeThatIsNoDistributionIsRefusedBeforeAnythingIsLaunched(@TempDir Path notSpark) {
        var reply = server.post("/contexts/no-spark?spark.home=" + notSpark, "");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("result").asText())
                .contains("spark.home: '" + notSpark + "' is not a Spark distribution");
        assertThat(server.get("/contexts/no-spark").status()).isEqualTo(404);
    }

    /**
     * The distribution's conf directory is spark-submit's: {@code SPARK_CONF_DIR} of the server's environment
     * if set, else the distribution's {@code conf/}. Its {@code spark-defaults.conf} applies under the
     * context's settings, also when secret settings travel in a properties file. Here a distribution of its
     * own (the installed one's bin/ and jars/, a conf/ written here) is the server-wide default.
     */
    @Test
    @Order(4)
    void theDistributionsSparkDefaultsReachTheContextUnderItsOwnSettings(@TempDir Path dir) throws IOException {
        Distribution installed = distributions.get(0);
        Path home = Files.createDirectories(dir.resolve("spark"));
        Files.createSymbolicLink(home.resolve("bin"), installed.home().resolve("bin"));
        Files.createSymbolicLink(home.resolve("jars"), installed.home().resolve("jars"));
        Files.writeString(Files.createDirectories(home.resolve("conf")).resolve("spark-defaults.conf"), """
                spark.jobserver.it.fromDefaults  yes
                spark.jobserver.it.overridden    by-defaults
                """);
        try (Closeable links = () -> {
                    Files.delete(home.resolve("bin"));
                    Files.delete(home.resolve("jars"));
                };
                TestingJobServer withHome = TestingJobServer.start("spark.jobserver.spark-home = \"" + home + "\"\n")) {
            withHome.uploadExamples("test");
            // a secret setting: it travels in a properties file, which alone would hide spark-defaults.conf
            withHome.createContext(
                    "defaults", "spark.jobserver.it.overridden=by-context&spark.jobserver.it.token=t0ken");
            assertThat(driverClasspath(withHome, "defaults")).contains(home.resolve("jars") + "/*");
            assertThat(run(withHome, "defaults", "spark.jobserver.SparkVersionJob", "")
                            .asText())
                    .isEqualTo(installed.version());
            JsonNode conf = run(
                    withHome,
                    "defaults",
                    "spark.jobserver.SparkConfJob",
                    "keys = [spark.jobserver.it.fromDefaults, spark.jobserver.it.overridden, spark.jobserver.it.token]");
            assertThat(conf.path("spark.jobserver.it.fromDefaults").asText()).isEqualTo("yes");
            assertThat(conf.path("spark.jobserver.it.overridden").asText()).isEqualTo("by-context");
            assertThat(conf.has("spark.jobserver.it.token")).isTrue();
            assertThat(withHome.delete("/contexts/defaults").status()).isEqualTo(200);

            // a context may still choose the bundled runtime
            long started = System.nanoTime();
            withHome.createContext("bundled", "spark.home=");
            System.out.printf("CONTEXT-START bundled runtime: %.1f s%n", (System.nanoTime() - started) / 1e9);
            assertThat(driverClasspath(withHome, "bundled")).doesNotContain(home.toString());
            assertThat(run(withHome, "bundled", "spark.jobserver.SparkVersionJob", "")
                            .asText())
                    .isEqualTo(bundledVersion());
            assertThat(withHome.delete("/contexts/bundled").status()).isEqualTo(200);
        }
    }

    /** The Spark version the build bundles, from the driver's class path (spark-core_2.13-<version>.jar). */
    private static String bundledVersion() throws IOException {
        String classpath =
                Files.readString(Path.of(TestingJobServer.requiredProperty("jobserver.driver.classpath-file")));
        Matcher m =
                Pattern.compile("spark-core_[\\d.]+-(\\d+\\.\\d+\\.\\d+)\\.jar").matcher(classpath);
        assertThat(m.find()).as(classpath).isTrue();
        return m.group(1);
    }
}
