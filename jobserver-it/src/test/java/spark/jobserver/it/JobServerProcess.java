package spark.jobserver.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real server in a JVM of its own ({@code java -Xmx… spark.jobserver.server.Main -c <file>}), on a
 * fixed port and a temporary root, so that tests can kill it with SIGKILL and start it again on the
 * same root. HTTP goes through {@link TestingJobServer}'s helpers ({@link #http()}).
 *
 * <p>Drivers outlive a killed server and are then no longer this JVM's descendants: they are found by
 * their working directory under the root, and {@link #close()} kills them too.
 */
public final class JobServerProcess implements AutoCloseable {
    private final Path root;
    private final int port;
    private final Path configFile;
    private final String heap;
    private final TestingJobServer http;
    private Process process;
    private int starts;

    private JobServerProcess(Path root, int port, Path configFile, String heap) {
        this.root = root;
        this.port = port;
        this.configFile = configFile;
        this.heap = heap;
        this.http = TestingJobServer.clientOf(root, port);
    }

    /**
     * Starts a server with the test defaults plus {@code extraConfig} (HOCON) and the given heap
     * ({@code -Xmx}), and waits until it answers.
     */
    public static JobServerProcess start(String extraConfig, String heap) {
        try {
            Path root = Files.createTempDirectory("jobserver-process-");
            int port = freePort();
            Path config = root.resolve("server.conf");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "spark.master = \"local[2]\"",
                            "spark.jobserver.port = " + port,
                            "spark.jobserver.bind-address = \"127.0.0.1\"",
                            "spark.jobserver.rootdir = \"" + root + "\"",
                            "spark.jobserver.driver.jar = \""
                                    + TestingJobServer.requiredProperty("jobserver.driver.jar") + "\"",
                            "spark.jobserver.driver.classpath-file = \""
                                    + TestingJobServer.requiredProperty("jobserver.driver.classpath-file") + "\"",
                            "spark.jobserver.driver.class-data-sharing = false",
                            "spark.jobserver.context-creation-timeout = 120s",
                            "spark.context-settings.spark.ui.enabled = false",
                            "spark.context-settings.launcher.spark.driver.memory = 512m",
                            extraConfig,
                            ""));
            JobServerProcess server = new JobServerProcess(root, port, config, heap);
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Starts the server process (again, on the same root and port) and waits until it answers. */
    public void startAgain() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the server is running");
        }
        String classpath;
        try {
            classpath = TestingJobServer.requiredProperty("jobserver.server.jar")
                    + java.io.File.pathSeparator
                    + Files.readString(Path.of(TestingJobServer.requiredProperty("jobserver.server.classpath-file")))
                            .trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = root.resolve("server-" + (++starts) + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx" + heap,
                        "-cp",
                        classpath,
                        "spark.jobserver.server.Main",
                        "-c",
                        configFile.toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try {
                if (http.get("/healthz").status() == 200) {
                    return;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            sleep(200);
        }
        throw new AssertionError("the server did not answer within 90 s:\n" + tail(log));
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    public void kill9() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the server did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The HTTP helpers, against this server. */
    public TestingJobServer http() {
        return http;
    }

    public Path root() {
        return root;
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    /** The driver of a context, found by its working directory, whoever its parent is now. */
    public Optional<ProcessHandle> driverProcess(String contextId) {
        Path workDir = root.resolve("contexts").resolve(contextId);
        return ProcessHandle.allProcesses().filter(p -> workDir.equals(cwd(p))).findFirst();
    }

    /** Every process working under this server's root: its drivers, and the server itself. */
    private List<ProcessHandle> processesUnderRoot() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> {
                    Path cwd = cwd(p);
                    return cwd != null && cwd.startsWith(root);
                })
                .toList();
    }

    private static Path cwd(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The last lines of the server's newest log. */
    public String serverLog() {
        return tail(root.resolve("server-" + starts + ".log"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Kills the server and every driver it left, then deletes the root. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        if (process != null) {
            all.add(process.toHandle());
            process.descendants().forEach(all::add);
        }
        for (ProcessHandle p : processesUnderRoot()) {
            all.add(p);
            p.descendants().forEach(all::add);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // best effort
            }
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary directory
        }
    }
}
