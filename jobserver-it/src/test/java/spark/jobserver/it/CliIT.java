package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.client.JobServerClient;

/**
 * Every command of {@code bin/jobserver-cli}, run as a process from the unpacked distribution against a real
 * server: stdout, stderr and exit codes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CTX = "cli-ctx";
    private static final String WORD_COUNT = "spark.jobserver.WordCountExample";
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static TestingJobServer server;
    private static JobServerClient client;
    private static Path cli;
    private static Path config;

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }
    }

    @BeforeAll
    static void start() throws IOException {
        cli = Path.of(TestingJobServer.requiredProperty("jobserver.dist.home")).resolve("bin/jobserver-cli");
        assertThat(cli).isExecutable();
        server = TestingJobServer.start();
        client = JobServerClient.builder(server.baseUrl()).build();
        config = Files.createTempDirectory("cli-config");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static ProcessBuilder process(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(cli.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("JOBSERVER_") || k.equals("JAVA_OPTS"));
        // no user's config file, and the class archive in a cache of the test's own
        builder.environment().put("XDG_CONFIG_HOME", config.toString());
        builder.environment().put("XDG_CACHE_HOME", config.resolve("cache").toString());
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs the CLI against the test server (--url after the arguments), waits for its end. */
    private static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--url");
        all.add(server.baseUrl());
        return run(Map.of(), all.toArray(String[]::new));
    }

    private static Run run(Map<String, String> env, String... args) {
        try {
            Process process = process(env, args).start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String out = read(process.getInputStream());
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("jobserver-cli %s ends", List.of(args))
                    .isTrue();
            return new Run(process.exitValue(), out, err.get());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(1)
    void binaries() {
        Run upload =
                cli("binaries", "upload", "test", TestingJobServer.examplesJar().toString());
        assertThat(upload.exit()).as(upload.toString()).isZero();
        assertThat(upload.out()).isEqualTo("Uploaded test (Jar)\n");

        Run wheel = cli(
                "binaries",
                "upload",
                "py",
                TestingJobServer.pythonExamples(".whl").toString(),
                "-o",
                "json");
        assertThat(wheel.exit()).as(wheel.toString()).isZero();
        assertThat(wheel.json().get("binary-type").asText()).isEqualTo("Wheel");
        Run egg = cli("binaries", "upload", "py", TestingJobServer.examplesJar().toString(), "--type", "egg");
        assertThat(egg.out()).isEqualTo("Uploaded py (Egg)\n");

        Run list = cli("binaries", "list");
        assertThat(list.exit()).isZero();
        assertThat(list.out().lines().toList().get(0)).matches("NAME +TYPE +UPLOADED");
        assertThat(list.out()).containsPattern("(?m)^test +Jar +\\S+Z$").containsPattern("(?m)^py +Egg ");
        // the global option before the command too
        Run json = run(Map.of(), "-o", "json", "--url", server.baseUrl(), "binaries", "list");
        assertThat(json.json().findValuesAsText("app-name")).contains("test", "py");

        assertThat(cli("binaries", "delete", "py").out()).isEqualTo("Deleted py\n");
        Run again = cli("binaries", "delete", "py");
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err()).contains("404 ERROR: can't find binary with name py");
        assertThat(again.out()).isEmpty();

        Run noType = cli("binaries", "upload", "x", "/etc/hostname");
        assertThat(noType.exit()).isEqualTo(2);
        assertThat(noType.err()).contains("Cannot tell the binary type");
    }

    @Test
    @Order(2)
    void contexts() {
        Run create = cli("contexts", "create", CTX, "num-cpu-cores=2", "spark.ui.enabled=false");
        assertThat(create.exit()).as(create.toString()).isZero();
        assertThat(create.out()).isEqualTo("Context initialized: " + CTX + "\n");

        Run list = cli("contexts", "list");
        assertThat(list.out()).containsPattern("(?m)^" + CTX + " +RUNNING ");
        Run json = cli("contexts", "list", "-o", "json");
        assertThat(json.json().findValuesAsText("name")).contains(CTX);
        assertThat(cli("contexts", "get", CTX).out()).containsPattern("(?m)^state: +RUNNING$");

        Run bad = cli("contexts", "create", "1bad");
        assertThat(bad.exit()).isEqualTo(4);
        assertThat(bad.err()).contains("400 ERROR: context name must start with letters");
    }

    @Test
    @Order(3)
    void aSyncJobPrintsItsResult() throws IOException {
        Run run = cli(
                "jobs",
                "run",
                "-a",
                "test",
                "-c",
                WORD_COUNT,
                "--context",
                CTX,
                "--sync",
                "--config",
                "input.string = a b a");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.json().toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(run.err()).containsPattern("Job \\S+ started in " + CTX).containsPattern("Job \\S+ FINISHED in ");

        Path file = Files.createTempFile(config, "job", ".conf");
        Files.writeString(file, "input { string = \"x y x\" }");
        Run fromFile = cli(
                "jobs",
                "run",
                "-a",
                "test",
                "-c",
                WORD_COUNT,
                "--context",
                CTX,
                "--sync",
                "-f",
                file.toString(),
                "-o",
                "json");
        assertThat(fromFile.exit()).as(fromFile.toString()).isZero();
        assertThat(fromFile.json().get("status").asText()).isEqualTo("FINISHED");
        assertThat(fromFile.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");
    }

    @Test
    @Order(4)
    void aSyncJobShowsItsProgressWhileItWaits() throws Exception {
        Path gate = server.root().resolve("gate-" + System.nanoTime());
        Process process = process(
                        Map.of(),
                        "jobs",
                        "run",
                        "--url",
                        server.baseUrl(),
                        "-a",
                        "test",
                        "-c",
                        "spark.jobserver.WaitingShuffleJob",
                        "--context",
                        CTX,
                        "--sync",
                        "--config",
                        "gate = \"" + gate + "\"")
                .start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        List<String> errLines = new ArrayList<>();
        try (BufferedReader err =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            // the map stage's tasks wait for the gate: the progress shows them before the job can end
            while ((line = err.readLine()) != null) {
                errLines.add(line);
                if (line.matches("Job \\S+ RUNNING: 1 Spark job\\(s\\) \\(1 running\\), tasks 0/\\d+")) {
                    break;
                }
            }
            assertThat(line).as("progress on stderr: %s", errLines).isNotNull();
            Files.createFile(gate);
            while ((line = err.readLine()) != null) {
                errLines.add(line);
            }
        }
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s", errLines).isZero();
        assertThat(errLines.get(errLines.size() - 1)).matches("Job \\S+ FINISHED in .*");
        assertThat(out.get().trim()).matches("\\d+");
    }

    @Test
    @Order(5)
    void anAsyncJobItsStatusResultAndTheList() {
        Run started = cli(
                "jobs",
                "run",
                "-a",
                "test",
                "-c",
                WORD_COUNT,
                "--context",
                CTX,
                "--config",
                "input.string = q q",
                "-o",
                "json");
        assertThat(started.exit()).as(started.toString()).isZero();
        assertThat(started.json().get("status").asText()).isEqualTo("STARTED");
        String jobId = started.json().get("jobId").asText();
        client.awaitJob(jobId, Duration.ofMillis(200), null);

        Run status = cli("jobs", "status", jobId);
        assertThat(status.out()).containsPattern("(?m)^status: +FINISHED$").contains(WORD_COUNT);
        Run result = cli("jobs", "result", jobId);
        assertThat(result.exit()).isZero();
        assertThat(result.out()).isEqualTo("{\n  \"q\" : 2\n}\n");
        Run list = cli("jobs", "list", "--status", "finished");
        assertThat(list.out()).containsPattern("(?m)^" + jobId + " +FINISHED +" + CTX + " +" + WORD_COUNT);
        Run table =
                cli("jobs", "run", "-a", "test", "-c", WORD_COUNT, "--context", CTX, "--config", "input.string = t");
        assertThat(table.out()).containsPattern("(?s)JOB ID +STATUS +CONTEXT +CLASS\n\\S+ +STARTED +" + CTX);
        assertThat(cli("jobs", "list", "--limit", "1", "-o", "json").json()).hasSize(1);
    }

    @Test
    @Order(6)
    void jobErrorsHaveTheirExitCodes() {
        Run unknownApp = cli("jobs", "run", "-a", "nope", "-c", WORD_COUNT, "--context", CTX);
        assertThat(unknownApp.exit()).isEqualTo(3);
        assertThat(unknownApp.err()).contains("appName nope not found");

        Run invalid = cli("jobs", "run", "-a", "test", "-c", WORD_COUNT, "--context", CTX, "--sync");
        assertThat(invalid.exit()).isEqualTo(4);
        assertThat(invalid.err()).contains("400 VALIDATION FAILED: ").contains("No input.string config param");

        Run failed = cli("jobs", "run", "-a", "test", "-c", "spark.jobserver.MyErrorJob", "--context", CTX, "--sync");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err()).containsPattern("Job \\S+ ERROR: ");
        assertThat(failed.out()).isEmpty();

        Run unknownJob = cli("jobs", "status", "no-such-job");
        assertThat(unknownJob.exit()).isEqualTo(3);
        assertThat(unknownJob.err()).contains("No such job ID no-such-job");
    }

    @Test
    @Order(7)
    void aRunningJobHasNoResultYetAndIsKilled() throws Exception {
        Path gate = server.root().resolve("gate-" + System.nanoTime());
        Run started = cli(
                "jobs",
                "run",
                "-a",
                "test",
                "-c",
                "spark.jobserver.WaitingShuffleJob",
                "--context",
                CTX,
                "--config",
                "gate = \"" + gate + "\"",
                "-o",
                "json");
        String jobId = started.json().get("jobId").asText();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!client.getJob(jobId).status().equals("RUNNING")) {
            assertThat(System.nanoTime()).as("the job runs").isLessThan(deadline);
            Thread.sleep(100);
        }

        Run notYet = cli("jobs", "result", jobId);
        assertThat(notYet.exit()).isEqualTo(7);
        assertThat(notYet.err()).contains("Job " + jobId + " is RUNNING; no result yet");

        Run kill = cli("jobs", "kill", jobId);
        assertThat(kill.exit()).as(kill.toString()).isZero();
        assertThat(kill.out()).isEqualTo("Job " + jobId + " KILLED\n");
        client.awaitJob(jobId, Duration.ofMillis(200), null);
        Run result = cli("jobs", "result", jobId);
        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("Job " + jobId + " KILLED: ");
        assertThat(cli("jobs", "kill", jobId).exit()).isEqualTo(3);
    }

    @Test
    @Order(8)
    void logsArePrintedAndFollowed() {
        String marker = "m" + UUID.randomUUID().toString().substring(0, 8);
        Run started = cli(
                "jobs",
                "run",
                "-a",
                "test",
                "-c",
                "spark.jobserver.JavaLoggingJob",
                "--context",
                CTX,
                "--config",
                "marker = " + marker + "\nlines = 4\ninterval.ms = 300",
                "-o",
                "json");
        String jobId = started.json().get("jobId").asText();

        // follows from the start while the job still writes, and ends with the job
        Run followed = cli("jobs", "logs", jobId, "--follow");
        assertThat(followed.exit()).as(followed.toString()).isZero();
        assertThat(followed.out())
                .contains("logged " + marker + " 1", "logged " + marker + " 4", "printed " + marker + " 4");

        Run logs = cli("jobs", "logs", jobId);
        assertThat(logs.exit()).isZero();
        assertThat(logs.out()).contains("logged " + marker + " 1", "printed " + marker + " 4");
        assertThat(logs.out()).doesNotContain("logged m-other");
    }

    @Test
    @Order(9)
    void theUrlFromTheEnvironmentOrTheConfigFile() throws IOException {
        Run fromEnv = run(Map.of("JOBSERVER_URL", server.baseUrl()), "contexts", "list");
        assertThat(fromEnv.exit()).as(fromEnv.toString()).isZero();
        assertThat(fromEnv.out()).contains(CTX);

        Files.createDirectories(config.resolve("jobserver"));
        Files.writeString(config.resolve("jobserver/cli.properties"), "url = " + server.baseUrl() + "\n");
        Run fromFile = run(Map.of(), "contexts", "list");
        assertThat(fromFile.exit()).as(fromFile.toString()).isZero();
        assertThat(fromFile.out()).contains(CTX);
        Files.delete(config.resolve("jobserver/cli.properties"));

        Run nowhere = run(Map.of(), "--url", "http://127.0.0.1:1", "contexts", "list");
        assertThat(nowhere.exit()).isEqualTo(6);
        assertThat(nowhere.err()).contains("Cannot reach http://127.0.0.1:1");
    }

    @Test
    @Order(10)
    void contextsAreDeleted() {
        Run delete = cli("contexts", "delete", CTX);
        assertThat(delete.exit()).as(delete.toString()).isZero();
        assertThat(delete.out()).isEqualTo("Context stopped: " + CTX + "\n");
        Run again = cli("contexts", "delete", CTX, "-o", "json");
        assertThat(again.exit()).isEqualTo(3);
        assertThat(again.err()).contains("context " + CTX + " not found");
    }

    /**
     * The script keeps a class-data sharing archive of the CLI's classes in the user's cache: written by the
     * first command, mapped by the next, and silent about it.
     */
    @Test
    @Order(12)
    void theClassesAreSharedBetweenCommands() throws IOException {
        Path cache = Files.createTempDirectory(config, "cache");
        Map<String, String> env =
                Map.of("JAVA_HOME", System.getProperty("java.home"), "XDG_CACHE_HOME", cache.toString());
        Run first = run(env, "binaries", "list", "-o", "json", "--url", server.baseUrl());
        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.err()).isEmpty();
        try (var archives = Files.list(cache.resolve("jobserver"))) {
            assertThat(archives.map(p -> p.getFileName().toString()))
                    .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .matches("cli-\\d+\\.jsa");
        }
        Run second = run(env, "binaries", "list", "-o", "json", "--url", server.baseUrl());
        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.err()).isEmpty();
        assertThat(second.out()).isEqualTo(first.out());
    }

    @Test
    @Order(11)
    void usageCompletionAndHelp() {
        Run usage = run(Map.of(), "jobs", "run", "-c", "X");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("Error: Missing required argument");
        Run bash = run(Map.of(), "completion", "bash");
        assertThat(bash.exit()).isZero();
        assertThat(bash.out()).contains("complete -F", "jobserver-cli");
        Run help = run(new HashMap<>(), "help", "jobs");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("run", "status", "result", "kill", "list", "logs");
        Run version = run(Map.of(), "--version");
        assertThat(version.exit()).isZero();
        // the jar's manifest has the build's version
        assertThat(version.out().trim()).matches("jobserver-cli \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }
}
