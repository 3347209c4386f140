package spark.jobserver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import spark.jobserver.server.JobServer;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The real server on a free port with a temporary root and H2, for tests over HTTP. Drivers are real
 * JVMs; closing the harness kills every process it started.
 */
public final class TestingJobServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final Config overrides;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private JobServer server;
    private int port;

    private TestingJobServer(Path root, Config overrides) {
        this.root = root;
        this.overrides = overrides;
    }

    /** Starts a server; {@code extraConfig} is HOCON over the test defaults. */
    public static TestingJobServer start(String extraConfig) {
        try {
            Path root = Files.createTempDirectory("jobserver-it-");
            TestingJobServer harness = new TestingJobServer(root, ConfigFactory.parseString(extraConfig));
            harness.startServer(0);
            return harness;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestingJobServer start() {
        return start("");
    }

    /**
     * The HTTP helpers only, for a server running elsewhere on this port (see {@link JobServerProcess}):
     * starts nothing; its owner stops the server and cleans up.
     */
    static TestingJobServer clientOf(Path root, int port) {
        TestingJobServer client = new TestingJobServer(root, ConfigFactory.empty());
        client.port = port;
        return client;
    }

    private void startServer(int wantedPort) {
        Map<String, Object> test = new HashMap<>();
        test.put("spark.jobserver.port", wantedPort);
        test.put("spark.jobserver.bind-address", "127.0.0.1");
        test.put("spark.jobserver.rootdir", root.toString());
        test.put("spark.jobserver.driver.jar", requiredProperty("jobserver.driver.jar"));
        test.put("spark.jobserver.driver.classpath-file", requiredProperty("jobserver.driver.classpath-file"));
        test.put("spark.master", "local[2]");
        // the bundled Spark runtime, whatever SPARK_HOME the machine running the tests has (SparkHomeIT sets its own)
        test.put("spark.jobserver.spark-home", "");
        test.put("spark.jobserver.context-creation-timeout", "120s");
        test.put("spark.context-settings.spark.ui.enabled", false);
        test.put("spark.context-settings.launcher.spark.driver.memory", "512m");
        // the archive's background training run would compete with the tests for the CPU;
        // ClassDataSharingIT turns it on
        test.put("spark.jobserver.driver.class-data-sharing", false);
        // the job server's Python runtime (sparkjobserver, pyspark, py4j, pyhocon) for Python contexts
        test.put("spark.jobserver.driver.environment.JOBSERVER_PYTHON_PATH", requiredProperty("jobserver.python.path"));
        Config config = Configs.load(null, overrides.withFallback(ConfigFactory.parseMap(test)));
        server = JobServer.create(ServerConfig.from(config)).start();
        port = server.port();
    }

    /** Stops the server (drivers keep running) and starts a new one on the same root and port. */
    public void restart() {
        server.close();
        startServer(port);
    }

    /** Stops the server only; drivers keep running. */
    public void stopServer() {
        server.close();
    }

    public void startAgain() {
        startServer(port);
    }

    public Path root() {
        return root;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public static Path examplesJar() {
        return Path.of(requiredProperty("jobserver.examples.jar"));
    }

    /** The examples' Python package built by {@code mvn package}, as an egg ({@code .egg}) or a wheel ({@code .whl}). */
    public static Path pythonExamples(String extension) {
        Path dir = Path.of(requiredProperty("jobserver.examples.python.dir"));
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(extension))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + extension + " in " + dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("System property " + name + " is not set (run through Maven Failsafe)");
        }
        return value;
    }

    // ---------------------------------------------------------------- HTTP

    /** A reply: status, headers and body (parsed when it is JSON). */
    public record Reply(int status, String body, Map<String, List<String>> headers) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        public Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Reply post(String path, String body) {
        return post(path, body, "text/plain");
    }

    public Reply post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply post(String path, byte[] body, String contentType) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Raw bytes with extra headers given as name, value, name, value, ... */
    public Reply post(String path, byte[] body, String contentType, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder);
    }

    public Reply put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Any request with a text body and extra headers given as name, value, name, value, ... */
    public Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder);
    }

    public Reply request(String method, String path) {
        return send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    public void uploadExamples(String appName) {
        try {
            Reply reply = post("/binaries/" + appName, Files.readAllBytes(examplesJar()), "application/java-archive");
            if (reply.status() != 201) {
                throw new AssertionError("upload failed: " + reply);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a context and fails the test unless it starts. */
    public void createContext(String name, String query) {
        Reply reply = post("/contexts/" + name + (query.isEmpty() ? "" : "?" + query), "");
        if (reply.status() != 200) {
            throw new AssertionError("context " + name + " did not start: " + reply);
        }
    }

    /** Polls GET until {@code done} holds, or fails after {@code timeout}. */
    public Reply await(String path, Predicate<Reply> done, Duration timeout) {
        return await(this::get, path, done, timeout);
    }

    /** Polls {@code get} of {@code path} until {@code done} holds; shared by the test clients. */
    static Reply await(
            java.util.function.Function<String, Reply> get, String path, Predicate<Reply> done, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Reply last = null;
        while (Instant.now().isBefore(deadline)) {
            last = get.apply(path);
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError(
                "GET " + path + " did not reach the expected state in " + timeout + "; last reply: " + last);
    }

    /** The driver process of a context: the one running in the context's own directory. */
    public Optional<ProcessHandle> driverProcess(String contextId) {
        Path workDir = root.resolve("contexts").resolve(contextId);
        return ProcessHandle.current()
                .descendants()
                .filter(p -> workDir.equals(cwd(p)))
                .findFirst();
    }

    private static Path cwd(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    private Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response =
                    client.send(builder.timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            killDescendants();
            deleteRecursively(root);
        }
    }

    private static void killDescendants() {
        List<ProcessHandle> all = ProcessHandle.current().descendants().toList();
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort: the process is already gone or will be soon
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary directory; nothing to do
        }
    }
}
