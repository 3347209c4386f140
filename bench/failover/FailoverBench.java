import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Fail-over after {@code kill -9}, with real server processes and a real driver.
 *
 * <p>HA: three servers on one PostgreSQL schema, HA settings at their defaults. Each round kills the server the
 * context's driver is attached to (by the database's word) and measures, from the kill, how long until a sync
 * word count sent through another live server succeeds, and until a job that was RUNNING at the kill reads
 * FINISHED with its result through another server; then starts the killed server again (same port and root).
 *
 * <p>Baseline: one server alone on its embedded H2 root, killed the same way and started again at once; the
 * same two times, through it.
 */
public final class FailoverBench {
    private static final String CONTEXT = "failover";
    private static final String WORDS = "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context="
            + CONTEXT + "&sync=true&timeout=60";
    private static final String SLEEP = "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + CONTEXT;
    private static final long SLEEP_MILLIS = 3000;
    private static final long POLL_MILLIS = 50;
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(120);
    private static final int WARMUP_JOBS = 5;
    /** BENCH_KEEP_ROOTS=1 keeps the servers' roots (their logs and the drivers') after a run that did not fail. */
    private static final boolean KEEP_ROOTS = "1".equals(System.getenv("BENCH_KEEP_ROOTS"));

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String schema;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<Server> started = new CopyOnWriteArrayList<>();
    private final ExecutorService pollers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "bench-poller");
        t.setDaemon(true);
        return t;
    });
    private boolean cleanedUp;
    private boolean failed;

    private FailoverBench(String jdbcUrl, String user, String password, String schema) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.schema = schema;
    }

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/jobserver_test";
        String user = args.length > 1 ? args[1] : "jobserver";
        String password = args.length > 2 ? args[2] : "jobserver";
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL URL is needed (jdbc:postgresql://...), was " + url);
        }
        String schema = "jobserver_bench_fo_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        execute(url, user, password, "CREATE SCHEMA " + schema);
        String scoped = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        FailoverBench bench = new FailoverBench(scoped, user, password, schema);
        Thread hook = new Thread(() -> bench.cleanUp(url), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            List<Round> ha = bench.haRounds(rounds);
            List<Round> baseline = bench.baselineRounds(rounds);
            bench.report(ha, baseline);
        } catch (Exception | Error e) {
            bench.failed = true; // keeps the roots, with their logs
            throw e;
        } finally {
            bench.cleanUp(url);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // interrupted: the hook is running, and has cleaned up
            }
            System.out.printf(Locale.ROOT, "run time %.0f s%n", (System.nanoTime() - t0) / 1e9);
        }
        if (bench.failed) {
            System.exit(1);
        }
    }

    // ---------------------------------------------------------------- the two set-ups

    private List<Round> haRounds(int rounds) throws Exception {
        String ha = String.join(
                "\n",
                "spark.jobserver.sqldao.jdbc.url = \"" + jdbcUrl + "\"",
                "spark.jobserver.sqldao.jdbc.user = \"" + user + "\"",
                "spark.jobserver.sqldao.jdbc.password = \"" + password + "\"",
                // 5 connections each rather than 20: a shared test database allows 100 in all
                "spark.jobserver.sqldao.dbcp.maxactive = 5",
                "spark.jobserver.ha.enabled = true");
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            servers.add(startServer("ha" + i, ha));
        }
        prepareContext(servers.get(0), servers);
        System.out.printf("[ha] 3 servers on PostgreSQL schema %s, lease-interval 2s, lease-timeout 10s (defaults)%n", schema);
        List<Round> results = new ArrayList<>();
        for (int n = 1; n <= rounds; n++) {
            int owner = owner(servers);
            // the word count through the next live server, the job read through the third
            Server words = servers.get((owner + 1) % 3);
            Server job = servers.get((owner + 2) % 3);
            Round round = round("ha", n, servers.get(owner), words, job, false);
            results.add(round);
            servers.get(owner).start();
            settle(servers);
        }
        for (Server s : servers) {
            s.close(failed || KEEP_ROOTS);
        }
        return results;
    }

    private List<Round> baselineRounds(int rounds) throws Exception {
        Server alone = startServer("h2", "");
        prepareContext(alone, List.of(alone));
        System.out.println("[baseline] 1 server on its embedded H2 root, started again right after each kill");
        List<Round> results = new ArrayList<>();
        for (int n = 1; n <= rounds; n++) {
            results.add(round("baseline", n, alone, alone, alone, true));
        }
        alone.close(failed || KEEP_ROOTS);
        return results;
    }

    /** Uploads the examples, creates the context through {@code first}, warms it through every server. */
    private void prepareContext(Server first, List<Server> servers) throws Exception {
        Reply upload = send(first, "POST", "/binaries/test", Files.readAllBytes(Path.of(property("bench.examples.jar"))),
                "application/java-archive");
        check(upload, 201, "upload of the examples");
        check(send(first, "POST", "/contexts/" + CONTEXT + "?context-init-timeout=120s", new byte[0], "text/plain"), 200,
                "context creation");
        for (Server s : servers) {
            for (int i = 0; i < WARMUP_JOBS; i++) {
                Reply r = post(s, WORDS, "input.string = a b a");
                check(r, 200, "warm-up word count through " + s.name);
            }
        }
    }

    /**
     * With the killed server back: waits until all three hold a lease, gives the driver's server a sweep
     * (lease-interval) to tell the driver of it, and checks that the context answers through every server.
     */
    private void settle(List<Server> servers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (liveLeases() < servers.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not every server holds a lease 30 s after the restart");
            }
            Thread.sleep(100);
        }
        Thread.sleep(2 * 2000 + 500);
        for (Server s : servers) {
            Reply last = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until) {
                last = post(s, WORDS, "input.string = a b a");
                if (last.status == 200) {
                    break;
                }
                Thread.sleep(200);
            }
            if (last == null || last.status != 200) {
                loud("between rounds, the context did not answer through " + s.name + ": " + last);
            }
        }
    }

    // ---------------------------------------------------------------- one round

    record Round(String setUp, int n, String killed, long answersMillis, int failedAttempts, long resultMillis,
            long jobEndsAfterMillis, String jobStatus, String failure) {

        /** How much later than its own end the running job's result was readable; -1 when it was not. */
        long resultDelayMillis() {
            return resultMillis < 0 ? -1 : Math.max(0, resultMillis - jobEndsAfterMillis);
        }
    }

    private Round round(String setUp, int n, Server victim, Server wordsVia, Server jobVia, boolean restartAtOnce)
            throws Exception {
        long posted = System.nanoTime();
        Reply started = post(jobVia, SLEEP, "sleep.time.millis = " + SLEEP_MILLIS);
        check(started, 202, "start of the sleep job");
        String jobId = started.json.path("jobId").asText();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"RUNNING".equals(status(get(jobVia, "/jobs/" + jobId)))) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("the sleep job " + jobId + " is not RUNNING after 30 s");
            }
            Thread.sleep(POLL_MILLIS);
        }

        long kill = System.nanoTime();
        // the job started after it was posted: it cannot end before this, with or without a kill
        long endsAfter = SLEEP_MILLIS - (kill - posted) / 1_000_000;
        String killedAt = java.time.LocalTime.now().toString();
        victim.kill9();
        AtomicInteger failedAttempts = new AtomicInteger();
        CompletableFuture<Long> answers = CompletableFuture.supplyAsync(() -> {
            while (System.nanoTime() - kill < ROUND_TIMEOUT.toNanos()) {
                Reply r = post(wordsVia, WORDS, "input.string = a b a");
                if (r.status == 200 && r.json.path("result").path("a").asInt() == 2) {
                    return (System.nanoTime() - kill) / 1_000_000;
                }
                failedAttempts.incrementAndGet();
                pause(POLL_MILLIS);
            }
            return -1L;
        }, pollers);
        CompletableFuture<Reply> ended = CompletableFuture.supplyAsync(() -> {
            Reply r = null;
            while (System.nanoTime() - kill < ROUND_TIMEOUT.toNanos()) {
                r = get(jobVia, "/jobs/" + jobId);
                String s = status(r);
                if (s.equals("FINISHED") || s.equals("ERROR") || s.equals("KILLED")) {
                    return r.at((System.nanoTime() - kill) / 1_000_000);
                }
                pause(POLL_MILLIS);
            }
            return r == null ? new Reply(-1, "no reply", null, -1) : r.at(-1);
        }, pollers);
        if (restartAtOnce) {
            victim.start();
        }
        long answeredAfter = answers.get();
        Reply job = ended.get();
        String jobStatus = status(job);
        String failure = null;
        if (answeredAfter < 0) {
            failure = "the context did not answer through " + wordsVia.name + " within " + ROUND_TIMEOUT;
        }
        if (job.millis < 0) {
            failure = (failure == null ? "" : failure + "; ") + "job " + jobId + " still " + jobStatus + " after "
                    + ROUND_TIMEOUT + " (" + job.body + ")";
        } else if (!jobStatus.equals("FINISHED") || job.json.path("result").asLong() != SLEEP_MILLIS) {
            failure = (failure == null ? "" : failure + "; ") + "job " + jobId + " ended " + jobStatus + ": " + job.body;
        }
        Round round = new Round(setUp, n, victim.name, answeredAfter, failedAttempts.get(),
                failure == null ? job.millis : -1, endsAfter, jobStatus, failure);
        System.out.printf(Locale.ROOT,
                "[%s] round %2d: kill -9 %s at %s; context answers through %s after %6.3f s (%d failed attempts);"
                        + " running job %s read through %s after %6.3f s (its own end: %5.3f s)%n",
                setUp, n, victim.name, killedAt, wordsVia.name, answeredAfter / 1000.0, failedAttempts.get(), jobStatus,
                jobVia.name, job.millis / 1000.0, endsAfter / 1000.0);
        if (failure != null) {
            loud(setUp + " round " + n + ": " + failure + " (logs under " + victim.root + ", " + wordsVia.root + ", "
                    + jobVia.root + ")");
        }
        return round;
    }

    // ---------------------------------------------------------------- the report

    private void report(List<Round> ha, List<Round> baseline) {
        System.out.println();
        System.out.printf(Locale.ROOT, "rounds: %d HA, %d baseline; failures: %d HA, %d baseline%n", ha.size(),
                baseline.size(), failures(ha), failures(baseline));
        System.out.printf(Locale.ROOT, "%-36s %25s   %25s   %20s%n", "", "HA (3 servers, PostgreSQL)",
                "baseline (1 server, H2)", "HA / baseline");
        System.out.printf(Locale.ROOT, "%-36s %8s %8s %8s   %8s %8s %8s   %6s %6s %6s%n", "figure (s)", "p50", "max",
                "mean", "p50", "max", "mean", "p50", "max", "mean");
        row("context answers again", ha.stream().mapToLong(Round::answersMillis),
                baseline.stream().mapToLong(Round::answersMillis));
        row("running job's result readable", ha.stream().mapToLong(Round::resultMillis),
                baseline.stream().mapToLong(Round::resultMillis));
        row("  of which after the job's own end", ha.stream().mapToLong(Round::resultDelayMillis),
                baseline.stream().mapToLong(Round::resultDelayMillis));
        System.out.printf(Locale.ROOT, "%-36s %8.1f %17s   %8.1f%n", "failed attempts per round (mean)",
                ha.stream().mapToInt(Round::failedAttempts).average().orElse(0), "",
                baseline.stream().mapToInt(Round::failedAttempts).average().orElse(0));
        for (Round r : ha) {
            if (r.failure != null) {
                loud("HA round " + r.n + ": " + r.failure);
            }
        }
        for (Round r : baseline) {
            if (r.failure != null) {
                loud("baseline round " + r.n + ": " + r.failure);
            }
        }
    }

    private static long failures(List<Round> rounds) {
        return rounds.stream().filter(r -> r.failure != null).count();
    }

    /** One line; rounds without a figure (-1, failed) are left out of it, and counted above. */
    private static void row(String figure, java.util.stream.LongStream ha, java.util.stream.LongStream baseline) {
        double[] h = stats(ha.filter(v -> v >= 0).toArray());
        double[] b = stats(baseline.filter(v -> v >= 0).toArray());
        System.out.printf(Locale.ROOT, "%-36s %8.2f %8.2f %8.2f   %8.2f %8.2f %8.2f   %6.2f %6.2f %6.2f%n", figure,
                h[0], h[1], h[2], b[0], b[1], b[2], h[0] / b[0], h[1] / b[1], h[2] / b[2]);
    }

    /** Median, max and mean in seconds. */
    private static double[] stats(long[] millis) {
        if (millis.length == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        Arrays.sort(millis);
        int n = millis.length;
        double median = n % 2 == 1 ? millis[n / 2] : (millis[n / 2 - 1] + millis[n / 2]) / 2.0;
        return new double[] {median / 1000, millis[n - 1] / 1000.0, Arrays.stream(millis).average().orElse(0) / 1000};
    }

    private void loud(String message) {
        failed = true;
        System.out.println("!!!!! FAILURE: " + message);
    }

    // ---------------------------------------------------------------- database

    /** The server the context's driver is attached to, by the database's word. */
    private int owner(List<Server> servers) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
                PreparedStatement ps = c.prepareStatement(
                        "SELECT owner FROM contexts WHERE name = ? AND state NOT IN ('FINISHED', 'ERROR', 'KILLED')")) {
            ps.setString(1, CONTEXT);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the context " + CONTEXT + " is not recorded as running");
                }
                String owner = rs.getString(1);
                for (int i = 0; i < servers.size(); i++) {
                    if (servers.get(i).baseUrl().equals(owner)) {
                        return i;
                    }
                }
                throw new IllegalStateException("no server is the context's owner " + owner);
            }
        }
    }

    private int liveLeases() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password);
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM servers WHERE lease_until >= ?")) {
            ps.setLong(1, System.currentTimeMillis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static void execute(String url, String user, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Kills every process started (drivers included) and drops the scratch schema; runs once. */
    private void cleanUp(String url) {
        synchronized (this) {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
        }
        for (Server s : started) {
            s.close(failed || KEEP_ROOTS);
        }
        pollers.shutdownNow();
        try {
            execute(url, user, password, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (Exception e) {
            System.out.println("!!!!! could not drop the scratch schema " + schema + ": " + e);
        }
    }

    // ---------------------------------------------------------------- HTTP

    record Reply(int status, String body, JsonNode json, long millis) {
        Reply at(long millis) {
            return new Reply(status, body, json, millis);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private Reply post(Server s, String path, String body) {
        return send(s, "POST", path, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain");
    }

    private Reply get(Server s, String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
                    .timeout(Duration.ofSeconds(90))
                    .GET()
                    .build();
            return reply(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return new Reply(-1, e.toString(), null, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, e.toString(), null, -1);
        }
    }

    private Reply send(Server s, String method, String path, byte[] body, String contentType) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.baseUrl() + path))
                    .timeout(Duration.ofSeconds(90))
                    .header("Content-Type", contentType)
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            return reply(http.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return new Reply(-1, e.toString(), null, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, e.toString(), null, -1);
        }
    }

    private Reply reply(HttpResponse<String> response) {
        JsonNode node;
        try {
            node = json.readTree(response.body());
        } catch (IOException e) {
            node = json.missingNode();
        }
        return new Reply(response.statusCode(), response.body(), node, -1);
    }

    private static String status(Reply r) {
        return r.json == null ? "(no reply: " + r.body + ")" : r.json.path("status").asText();
    }

    private static void check(Reply r, int expected, String what) {
        if (r.status != expected) {
            throw new IllegalStateException(what + " failed: " + r);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("-D" + name + " is not set (run bench/failover/run)");
        }
        return value;
    }

    // ---------------------------------------------------------------- server processes

    private Server startServer(String name, String extraConfig) throws Exception {
        Path root = Files.createTempDirectory("failover-bench-" + name + "-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = root.resolve("server.conf");
        Files.writeString(config, String.join(
                "\n",
                "spark.master = \"local[2]\"",
                "spark.jobserver.port = " + port,
                "spark.jobserver.bind-address = \"127.0.0.1\"",
                "spark.jobserver.rootdir = \"" + root + "\"",
                "spark.jobserver.driver.jar = \"" + property("bench.driver.jar") + "\"",
                "spark.jobserver.driver.classpath-file = \"" + property("bench.driver.classpath-file") + "\"",
                "spark.jobserver.driver.class-data-sharing = false",
                "spark.jobserver.context-creation-timeout = 120s",
                "spark.context-settings.spark.ui.enabled = false",
                "spark.context-settings.launcher.spark.driver.memory = 512m",
                extraConfig,
                ""));
        Server server = new Server(name, root, port, config);
        started.add(server);
        server.start();
        return server;
    }

    /** A server JVM of its own on a fixed port and root, so that it can be killed and started again on both. */
    private final class Server {
        final String name;
        final Path root;
        final int port;
        final Path config;
        private Process process;
        private int starts;
        private boolean closed;

        Server(String name, Path root, int port, Path config) {
            this.name = name;
            this.root = root;
            this.port = port;
            this.config = config;
        }

        String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        void start() throws Exception {
            String classpath = property("bench.server.jar") + java.io.File.pathSeparator
                    + Files.readString(Path.of(property("bench.server.classpath-file"))).trim();
            Path log = root.resolve("server-" + (++starts) + ".log");
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classpath,
                    "spark.jobserver.server.Main", "-c", config.toString())
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("server " + name + " exited with " + process.exitValue()
                            + "; the end of " + log + ":\n" + tail(log));
                }
                if (get(this, "/healthz").status == 200) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("server " + name + " did not answer within 90 s; see " + log);
        }

        /** SIGKILL: no shutdown hook runs, the lease is not given up, drivers are left running. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("server " + name + " did not die");
            }
        }

        /** Kills the server and every process working under its root (its drivers); keeps the root if asked. */
        synchronized void close(boolean keepRoot) {
            if (closed) {
                return;
            }
            closed = true;
            List<ProcessHandle> all = new ArrayList<>();
            if (process != null) {
                all.add(process.toHandle());
                process.descendants().forEach(all::add);
            }
            ProcessHandle.allProcesses()
                    .filter(p -> p.pid() != ProcessHandle.current().pid())
                    .filter(p -> {
                        Path cwd = cwd(p);
                        return cwd != null && cwd.startsWith(root);
                    })
                    .forEach(p -> {
                        all.add(p);
                        p.descendants().forEach(all::add);
                    });
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.out.println("!!!!! process " + p.pid() + " under " + root + " did not end: " + e);
                }
            }
            if (keepRoot) {
                System.out.println("kept " + root + " (server and driver logs)");
                return;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory
            }
        }

        private static String tail(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }

        private static Path cwd(ProcessHandle p) {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return null;
            }
        }
    }
}
