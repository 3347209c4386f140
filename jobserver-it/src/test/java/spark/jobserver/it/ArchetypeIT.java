package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job project that {@code jobserver-archetype} generates, as a job author uses it: the archetype's own
 * integration test has generated it (package {@code com.example.jobs}) and built it with {@code mvn verify}, its
 * tests included; here its jar goes to a real server and both its jobs run, each in a context of its own
 * and both in one shared context. Also keeps the project's sbt build in step with its POM (sbt is not run).
 */
class ArchetypeIT {
    private static final String APP = "my-jobs";
    private static final String WORD_COUNT = "com.example.jobs.WordCountJob";
    private static final String SUM = "com.example.jobs.SumJob";

    private static TestingJobServer server;

    @BeforeAll
    static void start() throws IOException {
        server = TestingJobServer.start();
        var uploaded = server.post("/binaries/" + APP, Files.readAllBytes(jobJar()), "application/java-archive");
        assertThat(uploaded.status()).as(uploaded.toString()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The generated project: {@code src/test/resources/projects/basic} of jobserver-archetype. */
    private static Path project() {
        return Path.of(TestingJobServer.requiredProperty("jobserver.archetype.project"));
    }

    private static Path jobJar() {
        Path jar = project().resolve("target/my-jobs-1.0-SNAPSHOT.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: it is built by the integration test of"
                    + " jobserver-archetype (mvn verify, without -DskipTests)");
        }
        return jar;
    }

    @Test
    void theJarHoldsTheJobsAndNothingProvided() throws IOException {
        try (var jar = new JarFile(jobJar().toFile())) {
            List<String> classes = jar.stream()
                    .map(e -> e.getName())
                    .filter(n -> n.endsWith(".class"))
                    .toList();
            assertThat(classes)
                    .contains("com/example/jobs/WordCountJob.class", "com/example/jobs/WordCountJob$.class")
                    .contains("com/example/jobs/SumJob.class")
                    .allMatch(n -> n.startsWith("com/example/jobs/"));
        }
    }

    @Test
    void bothJobsRunInContextsOfTheirOwn() {
        var counted = server.post(
                "/jobs?appName=" + APP + "&classPath=" + WORD_COUNT + "&sync=true&timeout=120",
                "input.string = \"a b c a b see\"");
        assertThat(counted.status()).as(counted.toString()).isEqualTo(200);
        assertThat(counted.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");

        var summed = server.post(
                "/jobs?appName=" + APP + "&classPath=" + SUM + "&sync=true&timeout=120",
                "{\"input\": {\"numbers\": [1, 2, 3, 4]}}",
                "application/json");
        assertThat(summed.status()).as(summed.toString()).isEqualTo(200);
        assertThat(summed.json().get("result").asLong()).isEqualTo(10);
    }

    @Test
    void bothJobsRunInOneContextAndRefuseBadInput() {
        server.createContext("archetype-ctx", "");
        try {
            var counted = server.post(
                    "/jobs?appName=" + APP + "&classPath=" + WORD_COUNT + "&context=archetype-ctx&sync=true&timeout=60",
                    "input.string = \"x y x\"");
            assertThat(counted.status()).as(counted.toString()).isEqualTo(200);
            assertThat(counted.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");

            var summed = server.post(
                    "/jobs?appName=" + APP + "&classPath=" + SUM + "&context=archetype-ctx&sync=true&timeout=60",
                    "input.numbers = [40, 2]");
            assertThat(summed.status()).as(summed.toString()).isEqualTo(200);
            assertThat(summed.json().get("result").asLong()).isEqualTo(42);

            var noSentence = server.post(
                    "/jobs?appName=" + APP + "&classPath=" + WORD_COUNT + "&context=archetype-ctx&sync=true", "");
            assertThat(noSentence.status()).as(noSentence.toString()).isEqualTo(400);
            assertThat(noSentence.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
            assertThat(noSentence.json().get("result").get("message").asText())
                    .isEqualTo("One(SingleProblem(No input.string param))");

            var noNumbers = server.post(
                    "/jobs?appName=" + APP + "&classPath=" + SUM + "&context=archetype-ctx&sync=true",
                    "input.numbers = one");
            assertThat(noNumbers.status()).as(noNumbers.toString()).isEqualTo(400);
            assertThat(noNumbers.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
            assertThat(noNumbers.json().get("result").get("message").asText())
                    .startsWith("No input.numbers param (a list of integers)");
        } finally {
            assertThat(server.delete("/contexts/archetype-ctx").status()).isEqualTo(200);
        }
    }

    /**
     * The sbt build is not run here (sbt is not part of the build): its versions must be the POM's, which are
     * this build's.
     */
    @Test
    void theSbtBuildHasThePomsVersions() {
        Map<String, String> pom = new LinkedHashMap<>();
        String pomXml = read(project().resolve("pom.xml"));
        for (String name : List.of("jobserver.version", "spark.version", "scala.version", "junit.version")) {
            pom.put(name, find(pomXml, "<" + Pattern.quote(name) + ">([^<]+)</"));
        }
        String sbt = read(project().resolve("build.sbt"));
        Map<String, String> fromSbt = new LinkedHashMap<>();
        fromSbt.put("jobserver.version", find(sbt, "val jobserverVersion = \"([^\"]+)\""));
        fromSbt.put("spark.version", find(sbt, "val sparkVersion = \"([^\"]+)\""));
        fromSbt.put("scala.version", find(sbt, "scalaVersion := \"([^\"]+)\""));
        fromSbt.put("junit.version", find(sbt, "\"junit-jupiter\" % \"([^\"]+)\""));
        assertThat(fromSbt).isEqualTo(pom);
        // and the server's: the generated project is built against what this build runs jobs on
        assertThat(pom.get("jobserver.version"))
                .isEqualTo(TestingJobServer.requiredProperty("jobserver.archetype.jobserver-version"));
        assertThat(pom.get("spark.version"))
                .isEqualTo(TestingJobServer.requiredProperty("jobserver.archetype.spark-version"));

        for (String dependency : List.of(
                "\"io.github.sparkjobserver\" % \"jobserver-api\" % jobserverVersion % \"provided\"",
                "\"org.apache.spark\" %% \"spark-core\" % sparkVersion % \"provided\"",
                "\"org.apache.spark\" %% \"spark-sql\" % sparkVersion % \"provided\"")) {
            assertThat(sbt).contains(dependency);
        }
        assertThat(read(project().resolve("project/build.properties"))).startsWith("sbt.version=1.");
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in%n%s", regex, text).isTrue();
        return m.group(1);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
