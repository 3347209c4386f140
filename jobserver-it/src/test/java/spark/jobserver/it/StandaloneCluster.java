package spark.jobserver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import spark.jobserver.protocol.DriverLaunch;

/**
 * A real Spark standalone cluster on loopback: a master and one worker (2 cores, 2 GB), run as their own
 * JVMs from the Spark jars the build already has. The worker builds executor and driver commands from a
 * {@code SPARK_HOME}: here a directory whose {@code jars/} links to those same jars. Its state is read
 * from the master's own JSON status page.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int port;
    private final int webUiPort;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    private StandaloneCluster(Path dir, int port, int webUiPort) {
        this.dir = dir;
        this.port = port;
        this.webUiPort = webUiPort;
    }

    /** Starts the master and a worker, and returns once the worker has registered. */
    static StandaloneCluster start() {
        try {
            Path dir = Files.createTempDirectory("jobserver-standalone-");
            StandaloneCluster cluster = new StandaloneCluster(dir, freePort(), freePort());
            cluster.launch();
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void launch() throws IOException {
        String classpath = Files.readString(
                        Path.of(TestingJobServer.requiredProperty("jobserver.driver.classpath-file")))
                .trim();
        Path home = dir.resolve("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String jar : classpath.split(java.io.File.pathSeparator)) {
            Path source = Path.of(jar);
            if (Files.isRegularFile(source)) {
                Files.createSymbolicLink(jars.resolve(source.getFileName()), source);
            }
        }
        processes.add(java(
                classpath,
                home,
                "master",
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--webui-port",
                Integer.toString(webUiPort)));
        awaitJson(j -> j.has("url"), Duration.ofSeconds(60));
        processes.add(java(
                classpath,
                home,
                "worker",
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                "2",
                "--memory",
                "2g",
                "--webui-port",
                Integer.toString(freePort()),
                "--work-dir",
                Files.createDirectories(dir.resolve("work")).toString(),
                masterUrl()));
        awaitJson(j -> j.path("aliveworkers").asInt() == 1, Duration.ofSeconds(60));
    }

    private Process java(String classpath, Path home, String name, String... mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        command.addAll(List.of("-cp", classpath));
        command.addAll(List.of(mainAndArgs));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + port;
    }

    /** The master's status page: workers, active and completed applications and drivers. */
    JsonNode json() {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webUiPort + "/json/"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls the status page until {@code done} holds, or fails after {@code timeout}. */
    JsonNode awaitJson(Predicate<JsonNode> done, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = json();
                if (done.test(last)) {
                    return last;
                }
            } catch (UncheckedIOException e) {
                // the master is not listening yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError("the standalone master did not reach the expected state in " + timeout
                + "; last status: " + last + "\nworker log:\n" + tail("worker.log"));
    }

    /** The end of one of the cluster's logs, for failure messages. */
    String tail(String log) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(log));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + log + ")";
        }
    }

    /** The worker's directory of a driver it runs in cluster deploy mode ({@code driver-...}). */
    Path driverDir(String driverId) {
        return dir.resolve("work").resolve(driverId);
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) { // the worker (and what it runs) first
            Process p = processes.get(i);
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
