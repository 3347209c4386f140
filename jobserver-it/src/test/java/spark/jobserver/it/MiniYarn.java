package spark.jobserver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real YARN on loopback: Hadoop's {@code MiniYARNCluster} (a ResourceManager and one NodeManager of 2 vcores
 * and 4 GB that runs containers as processes), in a JVM of its own so that it neither shares the test JVM's heap
 * nor its classes. It writes a {@code yarn-site.xml} with its real addresses into {@link #confDir()}: the
 * {@code HADOOP_CONF_DIR} of the contexts. Its state is read from the ResourceManager's REST API
 * ({@code /ws/v1/cluster/apps}).
 */
final class MiniYarn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WEBAPP =
            Pattern.compile("<name>yarn\\.resourcemanager\\.webapp\\.address</name>\\s*<value>([^<]+)</value>");
    private final Path dir;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private String webapp;

    private MiniYarn(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    /** Starts YARN and returns once its NodeManager has registered with the ResourceManager. */
    static MiniYarn start() {
        try {
            Path dir = Files.createTempDirectory("jobserver-yarn-");
            Files.createDirectories(dir.resolve("conf"));
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    Main.class.getName(),
                    dir.resolve("conf").toString()));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("yarn.log").toFile());
            // the NodeManager starts containers with {{JAVA_HOME}}/bin/java
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            MiniYarn yarn = new MiniYarn(dir, pb.start());
            yarn.awaitReady(Duration.ofSeconds(90));
            return yarn;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        Path siteXml = confDir().resolve("yarn-site.xml");
        Instant deadline = Instant.now().plus(timeout);
        while (!Files.isRegularFile(siteXml)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                String log = tail();
                close();
                throw new AssertionError("YARN did not start in " + timeout + ":\n" + log);
            }
            pause();
        }
        Matcher m = WEBAPP.matcher(Files.readString(siteXml));
        if (!m.find()) {
            throw new AssertionError("no ResourceManager web address in " + siteXml);
        }
        webapp = "http://" + m.group(1);
        awaitJson(
                "/ws/v1/cluster/metrics",
                j -> j.path("clusterMetrics").path("activeNodes").asInt() == 1,
                timeout);
    }

    /** The Hadoop configuration directory of this YARN ({@code yarn-site.xml}). */
    Path confDir() {
        return dir.resolve("conf");
    }

    /**
     * A staging directory for spark-submit's uploads ({@code spark.yarn.stagingDir}), removed with the cluster
     * (the default is the submitting user's home directory on the default file system, here the local one).
     */
    Path stagingDir() {
        return dir.resolve("staging");
    }

    /** The ResourceManager's web address ({@code http://host:port}). */
    String webapp() {
        return webapp;
    }

    /** {@code GET <path>} of the ResourceManager's REST API. */
    JsonNode json(String path) {
        try {
            HttpResponse<String> reply = http.send(
                    HttpRequest.newBuilder(URI.create(webapp + path))
                            .header("Accept", "application/json")
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(reply.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls {@code path} until {@code done} holds, or fails after {@code timeout}. */
    JsonNode awaitJson(String path, Predicate<JsonNode> done, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                last = json(path);
                if (done.test(last)) {
                    return last;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            pause();
        }
        throw new AssertionError("YARN did not reach the expected state in " + timeout + "; last " + path + ": " + last
                + "\nYARN log:\n" + tail());
    }

    /** The application's report ({@code /ws/v1/cluster/apps/<id>}: state, finalStatus, name, ...). */
    JsonNode app(String applicationId) {
        return json("/ws/v1/cluster/apps/" + applicationId).path("app");
    }

    /** Polls the application's report until {@code done} holds. */
    JsonNode awaitApp(String applicationId, Predicate<JsonNode> done, Duration timeout) {
        return awaitJson("/ws/v1/cluster/apps/" + applicationId, j -> done.test(j.path("app")), timeout)
                .path("app");
    }

    /** Every application YARN knows ({@code /ws/v1/cluster/apps}). */
    List<JsonNode> apps() {
        List<JsonNode> apps = new ArrayList<>();
        json("/ws/v1/cluster/apps").path("apps").path("app").forEach(apps::add);
        return apps;
    }

    /** The end of the YARN JVM's log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("yarn.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no yarn.log)";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        // the containers the NodeManager started are its descendants
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /**
     * The YARN JVM: starts the cluster, writes its configuration into the directory given as the argument (the
     * file appears whole, once every address is known), and runs until its standard input closes (the test JVM
     * is gone) or it is killed.
     */
    static final class Main {
        private Main() {}

        public static void main(String[] args) throws Exception {
            Path confDir = Path.of(args[0]);
            org.apache.hadoop.yarn.conf.YarnConfiguration conf = new org.apache.hadoop.yarn.conf.YarnConfiguration();
            Map<String, String> settings = Map.ofEntries(
                    // small: one context at a time on 2 cores (AM 512m, executor 512m, each + 384m overhead)
                    Map.entry("yarn.nodemanager.resource.memory-mb", "4096"),
                    Map.entry("yarn.nodemanager.resource.cpu-vcores", "2"),
                    Map.entry("yarn.scheduler.minimum-allocation-mb", "256"),
                    Map.entry("yarn.scheduler.maximum-allocation-mb", "2048"),
                    Map.entry("yarn.nodemanager.vmem-check-enabled", "false"),
                    // a nearly full disk must not make the node unhealthy
                    Map.entry("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0"),
                    // the minicluster jar has no capacity-scheduler.xml
                    Map.entry("yarn.scheduler.capacity.root.queues", "default"),
                    Map.entry("yarn.scheduler.capacity.root.default.capacity", "100"),
                    Map.entry("yarn.scheduler.capacity.root.default.maximum-capacity", "100"),
                    Map.entry("yarn.scheduler.capacity.root.default.user-limit-factor", "1"),
                    Map.entry("yarn.scheduler.capacity.root.default.state", "RUNNING"),
                    Map.entry("yarn.scheduler.capacity.root.default.acl_submit_applications", "*"),
                    Map.entry("yarn.scheduler.capacity.root.default.acl_administer_queue", "*"),
                    Map.entry("yarn.scheduler.capacity.node-locality-delay", "-1"),
                    Map.entry("yarn.resourcemanager.hostname", "127.0.0.1"),
                    Map.entry("hadoop.tmp.dir", confDir.resolveSibling("tmp").toString()));
            settings.forEach(conf::set);
            org.apache.hadoop.yarn.server.MiniYARNCluster cluster =
                    new org.apache.hadoop.yarn.server.MiniYARNCluster("jobserver", 1, 1, 1);
            cluster.init(conf);
            cluster.start();
            org.apache.hadoop.conf.Configuration started = cluster.getConfig();
            // start() may return before the ResourceManager has written its bound ports into the configuration
            Instant deadline = Instant.now().plusSeconds(60);
            while (started.get("yarn.resourcemanager.address").endsWith(":0")
                    || started.get("yarn.resourcemanager.webapp.address").endsWith(":0")) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the ResourceManager did not publish its addresses");
                }
                pause();
            }
            Path tmp = confDir.resolve("yarn-site.xml.tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                started.writeXml(out);
            }
            Files.move(tmp, confDir.resolve("yarn-site.xml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            System.out.println("MiniYARNCluster ready: ResourceManager " + started.get("yarn.resourcemanager.address")
                    + ", web " + started.get("yarn.resourcemanager.webapp.address"));
            while (System.in.read() >= 0) {
                // runs until the test JVM closes the pipe
            }
            cluster.stop();
            System.exit(0);
        }
    }
}
