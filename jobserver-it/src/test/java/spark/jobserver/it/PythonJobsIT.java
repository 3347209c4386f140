package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python jobs over HTTP with real Python processes: the examples' egg and wheel (built by
 * {@code mvn package}) in one Python context shared by the class, sync and async, validation problems,
 * raising jobs with their tracebacks, the job-type mismatch both ways, and contexts whose Python cannot
 * start.
 */
class PythonJobsIT {
    private static final String CTX = "python-ctx";
    private static final String FACTORY = "context-factory=spark.jobserver.python.PythonSessionContextFactory";
    private static TestingJobServer server;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        upload(server, "py-egg", TestingJobServer.pythonExamples(".egg"), "application/python-egg");
        upload(server, "py-wheel", TestingJobServer.pythonExamples(".whl"), "application/python-wheel");
        server.createContext(CTX, FACTORY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void upload(TestingJobServer server, String app, Path file, String contentType) {
        var reply = server.post("/binaries/" + app, bytes(file), contentType);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
    }

    private static TestingJobServer.Reply sync(String app, String classPath, String config) {
        return server.post(
                "/jobs?appName=" + app + "&classPath=" + classPath + "&context=" + CTX + "&sync=true&timeout=60",
                config);
    }

    @Test
    void theReferenceWordCountRunsFromTheEggAndFromTheWheel() {
        for (String app : new String[] {"py-egg", "py-wheel"}) {
            var reply = sync(
                    app, "example_jobs.word_count.WordCountSparkSessionJob", "input.strings = ['a', 'b', 'a', 'b']");
            assertThat(reply.status()).as(app + ": " + reply).isEqualTo(200);
            assertThat(reply.json().get("jobId").asText()).isNotBlank();
            // HOCON keeps the single quotes as part of the strings, as the reference says.
            assertThat(reply.json().get("result").toString()).isEqualTo("{\"'a'\":2,\"'b'\":2}");
        }
        // The legacy content type of eggs, which existing clients send.
        var legacy = server.post(
                "/binaries/py-legacy", bytes(TestingJobServer.pythonExamples(".egg")), "application/python-archive");
        assertThat(legacy.status()).isEqualTo(201);
        assertThat(server.get("/binaries")
                        .json()
                        .get("py-legacy")
                        .get("binary-type")
                        .asText())
                .isEqualTo("Egg");
        assertThat(sync("py-legacy", "example_jobs.word_count.WordCountSparkSessionJob", "input.strings = [x]")
                        .json()
                        .get("result")
                        .toString())
                .isEqualTo("{\"x\":1}");
    }

    @Test
    void anAsyncJobIsStartedAndPolledToItsResult() {
        var started = server.post(
                "/jobs?appName=py-egg&classPath=example_jobs.word_count.WordCountSparkSessionJob&context=" + CTX,
                "input.strings = [a, b, a]");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        assertThat(started.json().get("status").asText()).isEqualTo("STARTED");
        String jobId = started.json().get("jobId").asText();
        var done = server.await(
                "/jobs/" + jobId, r -> r.json().get("status").asText().equals("FINISHED"), Duration.ofSeconds(60));
        assertThat(done.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(done.json().get("classPath").asText()).isEqualTo("example_jobs.word_count.WordCountSparkSessionJob");

        // its Spark work, run from Python in the job's group, is reported as a JVM job's is
        JsonNode progress = server.get("/jobs/" + jobId + "/progress").json();
        assertThat(progress.get("status").asText()).isEqualTo("FINISHED");
        assertThat(progress.get("sparkJobs")).isNotEmpty().allSatisfy(job -> {
            assertThat(job.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(job.get("completedTasks").asInt())
                    .isEqualTo(job.get("numTasks").asInt());
        });
        assertThat(progress.get("stages"))
                .isNotEmpty()
                .allSatisfy(stage -> assertThat(stage.get("status").asText()).isEqualTo("COMPLETE"));
    }

    @Test
    void validationProblemsAreValidationFailedAsForJvmJobs() {
        var reply = sync("py-egg", "example_jobs.word_count.WordCountSparkSessionJob", "");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(reply.json().get("result").get("message").asText())
                .isEqualTo("One(SingleProblem(config input.strings not found))");
    }

    @Test
    void aJobThatRaisesEndsInErrorWithItsTraceback() {
        var reply = sync("py-egg", "example_jobs.failing_job.FailingRunJob", "");
        // as for a JVM job that throws: 200 with the status ERROR
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        JsonNode error = reply.json().get("result");
        assertThat(error.get("message").asText()).isEqualTo("Deliberate failure");
        assertThat(error.get("errorClass").asText()).isEqualTo("Exception");
        assertThat(error.get("stack").asText())
                .startsWith("Traceback (most recent call last):")
                .contains("example_jobs/failing_job/__init__.py", "in run_job", "Exception: Deliberate failure");
        String jobId = reply.json().get("jobId").asText();
        var stored = server.get("/jobs/" + jobId);
        assertThat(stored.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(stored.json().get("result").get("stack").asText()).contains("Traceback");

        // A validate that raises fails validation, with its traceback.
        var invalid = sync("py-egg", "example_jobs.failing_job.FailingValidateJob", "");
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(400);
        assertThat(invalid.json().get("status").asText()).isEqualTo("VALIDATION FAILED");
        assertThat(invalid.json().get("result").get("stack").asText()).contains("in validate", "Deliberate failure");

        // The context is unharmed.
        assertThat(sync("py-egg", "example_jobs.word_count.WordCountSparkSessionJob", "input.strings = [z]")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void sqlAndWindowJobsWorkOnDataFrames() {
        String rows = "input.data = [[bob, 20, 1200], [alice, 20, 1500], [carol, 30, 2000], [dave, 30, 1000]]";
        var average = sync("py-wheel", "example_jobs.sql_average.SqlAverageJob", rows);
        assertThat(average.status()).as(average.toString()).isEqualTo(200);
        assertThat(average.json().get("result").toString())
                .isEqualTo("[{\"age\":20,\"average_salary\":1350.0},{\"age\":30,\"average_salary\":1500.0}]");

        var ranked = sync("py-wheel", "example_jobs.session_window.SessionWindowJob", rows);
        assertThat(ranked.status()).as(ranked.toString()).isEqualTo(200);
        assertThat(ranked.json().get("result").toString())
                .contains("[\"alice\",20,1]", "[\"bob\",20,2]", "[\"carol\",30,1]", "[\"dave\",30,2]");
    }

    @Test
    void aJobsPrintsLogRecordsAndTracebacksAreItsLogLines() {
        String marker = "py-marker-" + java.util.UUID.randomUUID();
        var reply = sync("py-egg", "example_jobs.logging_job.LoggingJob", "marker = \"" + marker + "\"");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String jobId = reply.json().get("jobId").asText();
        var log = server.await(
                "/jobs/" + jobId + "/logs",
                r -> r.body().contains("ValueError: deliberate " + marker),
                Duration.ofSeconds(60));
        assertThat(log.body())
                .contains(
                        "printed " + marker,
                        "logged " + marker,
                        "failed " + marker,
                        "Traceback (most recent call last)");
        assertThat(log.body().lines()).allMatch(l -> l.startsWith("[job " + jobId + "] "));
    }

    @Test
    void aClassWithoutTheBaseClassIsAJobToo() {
        var reply = sync("py-egg", "example_jobs.plain.PlainJob", "input = {n = 3}");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").get("input").toString()).contains("3");
    }

    @Test
    void jobsOfTheOtherKindAreRefusedBothWays() {
        server.uploadExamples("jvm");
        var jarJob = server.post(
                "/jobs?appName=jvm&classPath=spark.jobserver.WordCountExample&context=" + CTX, "input.string = a");
        assertThat(jarJob.status()).as(jarJob.toString()).isEqualTo(400);
        assertThat(jarJob.json().toString())
                .isEqualTo("{\"status\":\"ERROR\",\"result\":\"Invalid job type for this context\"}");

        server.createContext("jvm-ctx", "");
        try {
            var pythonJob = server.post(
                    "/jobs?appName=py-egg&classPath=example_jobs.word_count.WordCountSparkSessionJob&context=jvm-ctx",
                    "input.strings = [a]");
            assertThat(pythonJob.status()).as(pythonJob.toString()).isEqualTo(400);
            assertThat(pythonJob.json().toString())
                    .isEqualTo("{\"status\":\"ERROR\",\"result\":\"Invalid job type for this context\"}");
        } finally {
            server.delete("/contexts/jvm-ctx");
        }
    }

    @Test
    void anUnknownModuleOrClassIsNotFound() {
        for (String classPath : new String[] {"example_jobs.word_count.NoSuchJob", "no_such_module.Job", "NoModule"}) {
            var reply = sync("py-egg", classPath, "");
            assertThat(reply.status()).as(classPath + ": " + reply).isEqualTo(404);
            assertThat(reply.json().get("result").asText()).isEqualTo("classPath " + classPath + " not found");
        }
    }

    @Test
    void aDataFrameOneJobNamesIsThereForTheNextJobOfTheContext() {
        Path egg = egg("shared.egg", Map.of("shared_jobs/__init__.py", """
                from sparkjobserver.api import NamedObject

                class Keep:
                    def validate(self, context, runtime, config):
                        return config.get('name')

                    def run_job(self, context, runtime, name):
                        make = lambda: NamedObject(context.range(5).toDF('n'), True, None)
                        return runtime.namedObjects.get_or_else_create(name, make).obj.count()

                class Use:
                    def validate(self, context, runtime, config):
                        return config.get('name')

                    def run_job(self, context, runtime, name):
                        df = runtime.namedObjects.get(name).obj
                        return {'sum': df.groupBy().sum('n').collect()[0][0], 'cached': df.is_cached,
                                'names': runtime.namedObjects.get_names()}
                """));
        upload(server, "shared", egg, "application/python-egg");
        var kept = sync("shared", "shared_jobs.Keep", "name = numbers");
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
        assertThat(kept.json().get("result").asInt()).isEqualTo(5);
        var used = sync("shared", "shared_jobs.Use", "name = numbers");
        assertThat(used.status()).as(used.toString()).isEqualTo(200);
        assertThat(used.json().get("result").toString())
                .isEqualTo("{\"sum\":10,\"cached\":true,\"names\":[\"numbers\"]}");
    }

    @Test
    void aJobThatEndsItsPythonProcessFailsAloneAndTheNextJobGetsANewOne() {
        Path egg = egg("crash.egg", Map.of("crash_jobs/__init__.py", """
                import os

                class Crash:
                    def validate(self, context, runtime, config):
                        return None

                    def run_job(self, context, runtime, data):
                        os._exit(7)

                class Exits:
                    def validate(self, context, runtime, config):
                        return None

                    def run_job(self, context, runtime, data):
                        raise SystemExit(3)
                """));
        upload(server, "crash", egg, "application/python-egg");
        // sys.exit in a job ends the job, not the process
        var exits = sync("crash", "crash_jobs.Exits", "");
        assertThat(exits.json().get("result").get("errorClass").asText()).isEqualTo("SystemExit");

        var crash = sync("crash", "crash_jobs.Crash", "");
        assertThat(crash.json().get("status").asText()).as(crash.toString()).isEqualTo("ERROR");
        assertThat(crash.json().get("result").get("message").asText())
                .startsWith("The Python process of context " + CTX + " exited with code 7");

        var next = sync("py-egg", "example_jobs.word_count.WordCountSparkSessionJob", "input.strings = [again]");
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
        assertThat(next.json().get("result").toString()).isEqualTo("{\"again\":1}");
    }

    @Test
    void aKilledPythonJobIsKilledAndItsSparkWorkCancelled() {
        Path egg = egg("slow.egg", Map.of("slow_jobs/__init__.py", """
                import time

                class Slow:
                    def validate(self, context, runtime, config):
                        return None

                    def run_job(self, context, runtime, data):
                        sc = context.sparkContext
                        return sc.parallelize(range(2), 2).map(lambda x: time.sleep(600) or x).sum()
                """));
        upload(server, "slow", egg, "application/python-egg");
        var started = server.post("/jobs?appName=slow&classPath=slow_jobs.Slow&context=" + CTX, "");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        server.await("/jobs/" + jobId, r -> r.json().get("status").asText().equals("RUNNING"), Duration.ofSeconds(30));
        assertThat(server.delete("/jobs/" + jobId).json().get("status").asText())
                .isEqualTo("KILLED");
        assertThat(server.get("/jobs/" + jobId).json().get("status").asText()).isEqualTo("KILLED");
        // its tasks were cancelled: the context's two cores serve the next job at once
        var next = sync("py-egg", "example_jobs.word_count.WordCountSparkSessionJob", "input.strings = [after]");
        assertThat(next.status()).as(next.toString()).isEqualTo(200);
    }

    @Test
    void anAdHocPythonJobGetsAPythonContextOfItsOwnHereASparkContext() {
        var reply = server.post(
                "/jobs?appName=py-wheel&classPath=example_jobs.word_count.WordCountSparkJob&sync=true&timeout=120",
                "input.strings = [p, q, p]\n"
                        + "spark.context-settings.context-factory = spark.jobserver.python.PythonSparkContextFactory");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").toString()).isEqualTo("{\"p\":2,\"q\":1}");
    }

    @Test
    void aContextWhosePythonCannotStartFailsNamingWhatIsMissing() throws IOException {
        var noInterpreter =
                server.post("/contexts/no-python?" + FACTORY + "&python.executable=/nonexistent/python3", "");
        assertThat(noInterpreter.status()).as(noInterpreter.toString()).isEqualTo(500);
        assertThat(noInterpreter.json().get("status").asText()).isEqualTo("CONTEXT INIT ERROR");
        assertThat(noInterpreter.json().get("result").get("message").asText())
                .contains("The Python interpreter '/nonexistent/python3' (python.executable) cannot be started");

        // an interpreter that sees only the sparkjobserver package: no pyspark
        Path bare = tmp.resolve("bare-python3");
        String own = Arrays.stream(TestingJobServer.requiredProperty("jobserver.python.path")
                        .split(":"))
                .filter(p -> Files.isRegularFile(Path.of(p, "sparkjobserver", "worker.py")))
                .findFirst()
                .orElseThrow();
        Files.writeString(bare, "#!/bin/sh\nPYTHONPATH='" + own + "' exec python3 \"$@\"\n");
        Files.setPosixFilePermissions(bare, PosixFilePermissions.fromString("rwxr-xr-x"));
        var noPyspark = server.post("/contexts/no-pyspark?" + FACTORY + "&python.executable=" + bare, "");
        assertThat(noPyspark.status()).as(noPyspark.toString()).isEqualTo(500);
        assertThat(noPyspark.json().get("result").get("message").asText())
                .startsWith("Python context failed to start: pyspark is not importable by");

        // a pyspark of another version first on python.paths
        Path old = tmp.resolve("old-pyspark");
        Files.createDirectories(old.resolve("pyspark"));
        Files.writeString(old.resolve("pyspark/__init__.py"), "__version__ = '3.5.0'\n");
        var wrongVersion = server.post(
                "/contexts/wrong-pyspark?" + FACTORY, "spark.context-settings.python.paths = [\"" + old + "\"]");
        assertThat(wrongVersion.status()).as(wrongVersion.toString()).isEqualTo(500);
        assertThat(wrongVersion.json().get("result").get("message").asText())
                .contains("pyspark 3.5.0", "does not match Spark 4.2.0 of the driver");

        assertThat(server.get("/contexts").json().toString())
                .doesNotContain("no-python", "no-pyspark", "wrong-pyspark");
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path egg(String name, Map<String, String> sources) {
        return TestJars.egg(tmp, name, sources);
    }
}
