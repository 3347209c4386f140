package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image's entrypoint ({@code deploy/docker/entrypoint.sh}) run outside a container, on the
 * unpacked distribution as the image holds it: the JOBSERVER_* variables configure the real server, which
 * then serves a real upload and job; the entrypoint's process becomes the JVM (exec), so SIGTERM to it stops
 * the server; bad input is refused with a message before any JVM starts. Also the image's health check
 * script against the live server.
 */
class EntrypointIT {
    private static final Path HOME = Path.of(TestingJobServer.requiredProperty("jobserver.home"));
    private static final Path DIST = Path.of(TestingJobServer.requiredProperty("jobserver.dist.home"));
    private static final Path ENTRYPOINT = HOME.resolve("deploy/docker/entrypoint.sh");
    private static final Path HEALTHCHECK = HOME.resolve("deploy/docker/healthcheck.sh");
    private static final Duration START = Duration.ofSeconds(120);

    @TempDir
    Path temp;

    private Process process;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        // drivers a failed test left: this JVM's descendants, or the server's that outlived it
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void theEnvironmentConfiguresTheServerWhichRunsAJobAndStopsOnSigterm() throws Exception {
        Path root = temp.resolve("state/root"); // created by the entrypoint
        int port = freePort();
        // JOBSERVER_CONFIG holds what the tests always set; its port loses to JOBSERVER_PORT
        Path config = Files.writeString(
                temp.resolve("test.conf"),
                String.join(
                        "\n",
                        "spark.jobserver.port = 1",
                        "spark.jobserver.spark-home = \"\"",
                        "spark.jobserver.driver.class-data-sharing = false",
                        "spark.jobserver.context-creation-timeout = 120s",
                        "spark.context-settings.spark.ui.enabled = false",
                        "spark.context-settings.launcher.spark.driver.memory = 512m",
                        ""));
        Map<String, String> env = new HashMap<>();
        env.put("JOBSERVER_CONFIG", config.toString());
        env.put("JOBSERVER_ROOT_DIR", root.toString());
        env.put("JOBSERVER_PORT", Integer.toString(port));
        env.put("JOBSERVER_BIND_ADDRESS", "127.0.0.1");
        env.put("JOBSERVER_SPARK_MASTER", "local[2]");
        env.put("JOBSERVER_HEAP", "300m");
        env.put("JAVA_OPTS", "-Xmx100m -Dentrypoint.it=yes");

        process = start(env, List.of("-Dspark.jobserver.max-jobs-per-context=3"));
        TestingJobServer server = awaitHealthy(port, root);

        // exec all the way: the entrypoint's process is the server's JVM, with the heap of JOBSERVER_HEAP
        // after JAVA_OPTS (the last -Xmx wins) and the arguments passed on
        ProcessHandle jvm = ProcessHandle.of(process.pid()).orElseThrow();
        assertThat(jvm.info().command().orElseThrow()).endsWith("/java");
        List<String> args = List.of(jvm.info().arguments().orElseThrow());
        assertThat(args).contains("-Dentrypoint.it=yes", "-Dspark.jobserver.max-jobs-per-context=3");
        assertThat(args.lastIndexOf("-Xmx300m")).isGreaterThan(args.lastIndexOf("-Xmx100m"));
        assertThat(args).contains("spark.jobserver.server.Main");

        // the image's health check script
        assertThat(healthcheck(port)).isZero();
        assertThat(healthcheck(freePort())).isEqualTo(1);

        // a real request: upload the examples, run a job in a context of the server's master
        server.uploadExamples("test");
        assertThat(server.get("/binaries").json().has("test")).isTrue();
        server.createContext("ctx", "num-cpu-cores=1");
        TestingJobServer.Reply job = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=ctx&sync=true&timeout=60",
                "input.string = \"a b a\"",
                "application/x-www-form-urlencoded");
        assertThat(job.status()).as(job.toString()).isEqualTo(200);
        assertThat(job.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");

        // JOBSERVER_ROOT_DIR holds the state: the H2 database, the binary, the context's directory
        assertThat(root.resolve("sqldao/data")).isDirectoryContaining("glob:**/h2-db.mv.db");
        assertThat(files(root.resolve("binaries"))).isNotEmpty();
        String contextId = server.get("/contexts/ctx").json().get("id").asText();
        assertThat(root.resolve("contexts").resolve(contextId).resolve("driver.log"))
                .isNotEmptyFile();
        // the driver runs on JOBSERVER_SPARK_MASTER
        assertThat(server.driverProcess(contextId)
                        .orElseThrow()
                        .info()
                        .arguments()
                        .orElseThrow())
                .contains("local[2]");

        assertThat(server.delete("/contexts/ctx").status()).isEqualTo(200);
        server.await("/contexts/ctx", r -> r.json().path("state").asText().equals("FINISHED"), START);

        // SIGTERM to the entrypoint's pid is SIGTERM to the JVM: a graceful stop
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(canConnect(port)).isFalse();
    }

    @Test
    void thePostgresqlOfTheEnvironmentHoldsTheStateAndThePasswordIsWrittenNowhere() throws Exception {
        String url = env("JOBSERVER_TEST_POSTGRESQL_URL", "jdbc:postgresql://127.0.0.1:5432/jobserver_test");
        String user = env("JOBSERVER_TEST_POSTGRESQL_USER", "jobserver");
        String password = env("JOBSERVER_TEST_POSTGRESQL_PASSWORD", "jobserver");
        String schema = "entrypoint_it_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            Assumptions.assumeTrue(
                    "true".equals(System.getenv("JOBSERVER_REQUIRE_ALL_DATABASES")),
                    "PostgreSQL is not reachable at " + url + ": " + e.getMessage());
            throw e;
        }
        try {
            int port = freePort();
            Path tmp = Files.createDirectories(temp.resolve("tmp"));
            Map<String, String> env = new HashMap<>();
            env.put("JOBSERVER_ROOT_DIR", temp.resolve("root").toString());
            env.put("JOBSERVER_PORT", Integer.toString(port));
            env.put("JOBSERVER_BIND_ADDRESS", "127.0.0.1");
            env.put("JOBSERVER_DB_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
            env.put("JOBSERVER_DB_USER", user);
            env.put("JOBSERVER_DB_PASSWORD", password);
            env.put("TMPDIR", tmp.toString());
            process = start(env, List.of());
            TestingJobServer server = awaitHealthy(port, temp.resolve("root"));

            server.uploadExamples("pg-test");
            assertThat(server.get("/binaries").json().has("pg-test")).isTrue();
            try (Connection c = DriverManager.getConnection(url, user, password);
                    Statement s = c.createStatement();
                    ResultSet tables = s.executeQuery("SELECT count(*) FROM information_schema.tables"
                            + " WHERE table_schema = '" + schema + "'")) {
                tables.next();
                assertThat(tables.getInt(1))
                        .as("the server's tables in schema %s", schema)
                        .isPositive();
            }
            assertThat(temp.resolve("root/sqldao/data")).doesNotExist();

            // the password reaches the server through its environment only
            assertThat(ProcessHandle.of(process.pid())
                            .orElseThrow()
                            .info()
                            .arguments()
                            .orElseThrow())
                    .noneMatch(a -> a.contains("password") || a.equals(password));
            List<Path> written = files(tmp);
            assertThat(written).hasSize(1);
            assertThat(Files.readAllLines(written.get(0)).stream().filter(l -> l.contains("password")))
                    .containsExactly("spark.jobserver.sqldao.jdbc.password = ${?JOBSERVER_DB_PASSWORD}");

            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, password);
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    void badInputIsRefusedWithAMessageBeforeTheServerStarts() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "");
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("JOBSERVER_CONFIG=/no/such/jobserver.conf", "JOBSERVER_CONFIG=/no/such/jobserver.conf: no such file");
        cases.put("JOBSERVER_PORT=http", "JOBSERVER_PORT=http: not a port number (1-65535)");
        cases.put("JOBSERVER_PORT=65536", "JOBSERVER_PORT=65536: not a port number (1-65535)");
        cases.put("JOBSERVER_PORT=0", "JOBSERVER_PORT=0: not a port number (1-65535)");
        cases.put(
                "JOBSERVER_DB_URL=postgres://db:5432/jobserver",
                "JOBSERVER_DB_URL=postgres://db:5432/jobserver: not a JDBC URL of a supported database");
        cases.put("JOBSERVER_HEAP=lots", "JOBSERVER_HEAP=lots: not a heap size (e.g. 512m, 2g)");
        cases.put("JOBSERVER_ROOT_DIR=relative/root", "JOBSERVER_ROOT_DIR=relative/root: not an absolute path");
        cases.put("JOBSERVER_ROOT_DIR=" + file + "/root", "JOBSERVER_ROOT_DIR=" + file + "/root: cannot create it");
        cases.put("JOBSERVER_ROOT_DIR=" + file, "JOBSERVER_ROOT_DIR=" + file + ": not a directory");
        cases.put(
                "JOBSERVER_HOME=" + temp,
                "JOBSERVER_HOME=" + temp + " is not an unpacked distribution (no executable bin/jobserver in it)");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String[] kv = c.getKey().split("=", 2);
            Result result = run(Map.of(kv[0], kv[1]), List.of());
            assertThat(result.exitCode())
                    .as(c.getKey() + ": " + result.output())
                    .isEqualTo(2);
            assertThat(result.output()).as(c.getKey()).startsWith("entrypoint: " + c.getValue());
            assertThat(result.output().lines()).as(c.getKey()).hasSize(1);
        }

        Result configArgument = run(Map.of(), List.of("-c", "my.conf"));
        assertThat(configArgument.exitCode()).isEqualTo(2);
        assertThat(configArgument.output())
                .isEqualTo("entrypoint: give the configuration file in JOBSERVER_CONFIG, not as an argument (-c)\n");
        Result unknown = run(Map.of(), List.of("--verbose"));
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.output())
                .isEqualTo("entrypoint: unknown argument '--verbose' (JVM options -D... and -X... only)\n");
    }

    @Test
    void aCommandInsteadOfOptionsRunsInTheDistribution() throws Exception {
        Result result = run(Map.of(), List.of("sh", "-c", "pwd; test -x bin/jobserver && echo ok"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).isEqualTo(DIST.toRealPath() + "\nok\n");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** The entrypoint with {@code env} over a clean environment (no JOBSERVER_* of the machine's). */
    private ProcessBuilder builder(Map<String, String> env, List<String> args) {
        List<String> command = new ArrayList<>(List.of(ENTRYPOINT.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(k -> k.startsWith("JOBSERVER_") || k.equals("JAVA_OPTS"));
        environment.put("JOBSERVER_HOME", DIST.toString());
        environment.putIfAbsent("TMPDIR", temp.toString());
        environment.putAll(env);
        return builder;
    }

    private Process start(Map<String, String> env, List<String> args) throws IOException {
        Path log = Files.createTempFile(temp, "entrypoint-", ".log");
        return builder(env, args)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    record Result(int exitCode, String output) {}

    private Result run(Map<String, String> env, List<String> args) throws Exception {
        Process p = builder(env, args).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }

    /** Waits for GET /healthz to answer 200, failing early with the server's output if it exits. */
    private TestingJobServer awaitHealthy(int port, Path root) throws Exception {
        TestingJobServer client = TestingJobServer.clientOf(root, port);
        Instant deadline = Instant.now().plus(START);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the entrypoint exited with " + process.exitValue() + ":\n" + output());
            }
            if (canConnect(port) && client.get("/healthz").status() == 200) {
                return client;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("no healthy server on port " + port + " within " + START + ":\n" + output());
    }

    private String output() throws IOException {
        try (Stream<Path> logs = Files.list(temp)) {
            StringBuilder text = new StringBuilder();
            for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("entrypoint-"))
                    .toList()) {
                text.append(Files.readString(log));
            }
            return text.toString();
        }
    }

    /** The image's health check with JOBSERVER_PORT set, as the image sets it. */
    private static int healthcheck(int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(HEALTHCHECK.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JOBSERVER_PORT", Integer.toString(port));
        Process p = builder.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private static boolean canConnect(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
