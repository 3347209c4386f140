package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution as a user runs it: the tarball unpacked by the build ({@code jobserver.dist.home}),
 * copied (hard links) into a fresh installation per test so that its {@code run/} and {@code logs/} are
 * its own, driven only by its {@code bin/server_start.sh} and {@code bin/server_stop.sh} with a
 * configuration file of a temporary root and a free port. Nothing of the checkout is on its class path:
 * the server, the drivers and the Python contexts run from the installation's {@code lib/}.
 */
class DistributionIT {
    private Path tmp;
    private Path home;
    private Path root;
    private Path conf;
    private int port;
    private TestingJobServer http;

    @BeforeEach
    void install() throws Exception {
        tmp = Files.createTempDirectory("jobserver-distribution-");
        home = tmp.resolve("jobserver");
        Path dist = Path.of(TestingJobServer.requiredProperty("jobserver.dist.home"));
        // hard links: the 400 MB of lib/ cost nothing, and the copy's run/ and logs/ are its own
        Process cp = new ProcessBuilder("cp", "-al", dist.toString(), home.toString())
                .inheritIO()
                .start();
        assertThat(cp.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cp.exitValue()).isZero();
        root = tmp.resolve("root");
        port = freePort();
        conf = tmp.resolve("test.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "spark.master = \"local[2]\"",
                        "spark.jobserver.port = " + port,
                        "spark.jobserver.bind-address = \"127.0.0.1\"",
                        "spark.jobserver.rootdir = \"" + root + "\"",
                        // the bundled Spark runtime, whatever SPARK_HOME the machine has
                        "spark.jobserver.spark-home = \"\"",
                        "spark.jobserver.driver.class-data-sharing = false",
                        "spark.jobserver.context-creation-timeout = 120s",
                        "spark.context-settings.spark.ui.enabled = false",
                        "spark.context-settings.launcher.spark.driver.memory = 512m",
                        ""));
        http = TestingJobServer.clientOf(root, port);
    }

    @AfterEach
    void uninstall() throws Exception {
        // whatever a failed test left: the server of the pid file and every driver working under the root
        List<ProcessHandle> left = new ArrayList<>();
        Path pidFile = home.resolve("run/jobserver.pid");
        if (Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(left::add);
        }
        left.addAll(processesUnder(root));
        for (ProcessHandle p : left) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (ProcessHandle p : left) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        try (Stream<Path> paths = Files.walk(tmp)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void startUseStopAndRestartWithTheStateKept() throws Exception {
        Run start = run("bin/server_start.sh", "-c", conf.toString());
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("Spark Job Server started: pid ", "http://127.0.0.1:" + port);
        long pid = pid();
        assertThat(start.output()).contains("pid " + pid + ",");
        assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).orElseThrow())
                .as("the pid file names the server JVM")
                .contains("spark.jobserver.server.Main")
                .contains(home.resolve("lib/server").toString());
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        assertThat(Files.readString(home.resolve("logs/server.log")))
                .contains("is listening on http://127.0.0.1:" + port);

        Run second = run("bin/server_start.sh", "-c", conf.toString());
        assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
        assertThat(second.output()).contains("already running (pid " + pid + ",");
        assertThat(pid()).isEqualTo(pid);

        // the walk-through: a jar, an ad-hoc job, a context with a sync job, a Python context
        http.uploadExamples("demo");
        TestingJobServer.Reply adHoc = http.post(
                "/jobs?appName=demo&classPath=spark.jobserver.WordCountExample&sync=true&timeout=120",
                "input.string = \"a b a\"");
        assertThat(adHoc.status()).as(adHoc.toString()).isEqualTo(200);
        assertThat(adHoc.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        http.createContext("ctx", "num-cpu-cores=1");
        TestingJobServer.Reply inContext = http.post(
                "/jobs?appName=demo&classPath=spark.jobserver.WordCountExample&context=ctx&sync=true&timeout=60",
                "input.string = \"x y x\"");
        assertThat(inContext.status()).as(inContext.toString()).isEqualTo(200);
        assertThat(inContext.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");
        TestingJobServer.Reply wheel = http.post(
                "/binaries/py-wheel",
                Files.readAllBytes(TestingJobServer.pythonExamples(".whl")),
                "application/python-wheel");
        assertThat(wheel.status()).as(wheel.toString()).isEqualTo(201);
        http.createContext("py", "context-factory=spark.jobserver.python.PythonSessionContextFactory");
        TestingJobServer.Reply python = http.post(
                "/jobs?appName=py-wheel&classPath=example_jobs.word_count.WordCountSparkSessionJob&context=py"
                        + "&sync=true&timeout=60",
                "input.strings = ['a', 'b', 'a']");
        assertThat(python.status()).as(python.toString()).isEqualTo(200);
        assertThat(python.json().get("result").toString()).isEqualTo("{\"'a'\":2,\"'b'\":1}");
        List<String> jobIds = List.of(
                adHoc.json().get("jobId").asText(),
                inContext.json().get("jobId").asText(),
                python.json().get("jobId").asText());
        List<ProcessHandle> drivers = processesUnder(root.resolve("contexts"));
        assertThat(drivers).as("the drivers of ctx and py").hasSizeGreaterThanOrEqualTo(2);

        Run stop = run("bin/server_stop.sh");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("The job server (pid " + pid + ") is stopped.");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(home.resolve("run/jobserver.pid")).doesNotExist();
        // SIGTERM ran the shutdown hook: the server closed its port, its drivers wait for it to come back
        assertThat(drivers).allMatch(ProcessHandle::isAlive);

        Run restart = run("bin/server_start.sh", "-c", conf.toString());
        assertThat(restart.exitCode()).as(restart.output()).isZero();
        assertThat(pid()).isNotEqualTo(pid);
        assertThat(home.resolve("logs/server.log.1")).content().contains("is listening on");
        JsonNode binaries = http.get("/binaries").json();
        assertThat(binaries.has("demo")).as(binaries.toString()).isTrue();
        assertThat(binaries.has("py-wheel")).as(binaries.toString()).isTrue();
        String jobs = http.get("/jobs?limit=100").body();
        assertThat(jobIds).allMatch(jobs::contains);
        // the contexts' drivers come back to the new server: until ctx's has, a job is refused with 503
        // "not connected; try again shortly", and a client does as told
        assertThat(drivers).allMatch(ProcessHandle::isAlive);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        TestingJobServer.Reply again;
        while (true) {
            again = http.post(
                    "/jobs?appName=demo&classPath=spark.jobserver.WordCountExample&context=ctx&sync=true&timeout=60",
                    "input.string = \"z\"");
            if (again.status() != 503 || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("result").toString()).isEqualTo("{\"z\":1}");
        assertThat(http.delete("/contexts/ctx").status()).isIn(200, 202);
        assertThat(http.delete("/contexts/py").status()).isIn(200, 202);

        Run stopAgain = run("bin/server_stop.sh");
        assertThat(stopAgain.exitCode()).as(stopAgain.output()).isZero();
        assertThat(home.resolve("run/jobserver.pid")).doesNotExist();
        Run notRunning = run("bin/server_stop.sh");
        assertThat(notRunning.exitCode()).as(notRunning.output()).isZero();
        assertThat(notRunning.output()).contains("The job server is not running (no pid file");
    }

    @Test
    void aStartThatFailsSaysWhyAndLeavesNoPidFile() throws Exception {
        Run missingFile =
                run("bin/server_start.sh", "-c", tmp.resolve("nope.conf").toString());
        assertThat(missingFile.exitCode()).as(missingFile.output()).isEqualTo(1);
        assertThat(missingFile.output())
                .contains("the job server exited during its start (exit code 2)")
                .contains("jobserver: Configuration file " + tmp.resolve("nope.conf") + " does not exist");
        assertThat(home.resolve("run/jobserver.pid")).doesNotExist();

        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // -D options reach the server as with bin/jobserver, and win over the file
            Run portInUse =
                    run("bin/server_start.sh", "-c", conf.toString(), "-Dspark.jobserver.port=" + taken.getLocalPort());
            assertThat(portInUse.exitCode()).as(portInUse.output()).isEqualTo(1);
            assertThat(portInUse.output())
                    .contains("the job server exited during its start (exit code 1)")
                    .contains("jobserver: could not start: Port already in use")
                    .contains(Integer.toString(taken.getLocalPort()));
        }
        assertThat(home.resolve("run/jobserver.pid")).doesNotExist();
    }

    @Test
    void aServerOnHttpsIsWaitedForAtItsHttpsUrl() throws Exception {
        TlsKeys keys = TlsKeys.make(Files.createDirectories(tmp.resolve("tls")));
        Files.writeString(
                conf,
                "akka.http.server {\n"
                        + "  ssl-encryption = on\n"
                        + "  keystore = \"" + keys.path("server.p12") + "\"\n"
                        + "  keystorePW = " + TlsKeys.PASSWORD + "\n"
                        + "  keystoreType = PKCS12\n"
                        + "}\n",
                java.nio.file.StandardOpenOption.APPEND);
        Run start = run("bin/server_start.sh", "-c", conf.toString());
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("Spark Job Server started: pid ", "https://127.0.0.1:" + port);
        assertThat(Files.readString(home.resolve("logs/server.log")))
                .contains("is listening on https://127.0.0.1:" + port);
        SecureClient https = SecureClient.to("https://127.0.0.1:" + port, keys.clientContext(null));
        assertThat(https.get("/healthz").status()).isEqualTo(200);
        Run stop = run("bin/server_stop.sh");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
    }

    @Test
    void aStalePidFileIsReplacedAndStopSaysWhenNothingRuns() throws Exception {
        // the pid of a process that has ended: a server that died without its stop script
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Files.createDirectories(home.resolve("run"));
        Files.writeString(home.resolve("run/jobserver.pid"), ended.pid() + "\n");

        Run stop = run("bin/server_stop.sh");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("is not running (pid " + ended.pid() + " of ");
        assertThat(home.resolve("run/jobserver.pid")).doesNotExist();

        Files.writeString(home.resolve("run/jobserver.pid"), ended.pid() + "\n");
        Run start = run("bin/server_start.sh", "-c", conf.toString());
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("removing the stale pid file");
        assertThat(pid()).isNotEqualTo(ended.pid());
        assertThat(http.get("/healthz").status()).isEqualTo(200);

        Run stopped = run("bin/server_stop.sh");
        assertThat(stopped.exitCode()).as(stopped.output()).isZero();
    }

    private long pid() throws IOException {
        return Long.parseLong(
                Files.readString(home.resolve("run/jobserver.pid")).trim());
    }

    private record Run(int exitCode, String output) {}

    /** Runs a script of the installation from a directory outside it, as a user would; stdout and stderr. */
    private Run run(String script, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve(script).toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "run-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("JOBSERVER_PID_DIR");
        builder.environment().remove("JOBSERVER_LOG_DIR");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " did not end within 300 s: " + Files.readString(out));
        }
        return new Run(process.exitValue(), Files.readString(out));
    }

    /** Processes working under {@code dir} (drivers work in their context's directory), whoever their parent is. */
    private static List<ProcessHandle> processesUnder(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                                .startsWith(dir);
                    } catch (IOException | UnsupportedOperationException | SecurityException e) {
                        return false;
                    }
                })
                .toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
