package spark.jobserver.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The benchmark: starts its own job server on a free port with a temporary root, runs every scenario
 * against it and against the baselines in the same invocation, and prints a table of figures, ratios
 * and targets. See docs/benchmarks.md. Run with {@code bench/run} ({@code bench/run --quick} for a
 * short smoke run).
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER = "local[2]";
    /** Warm-up: this many blocks of {@link #WARMUP_BLOCK} jobs, on both sides. */
    static final int WARMUP_BLOCKS = 4;

    static final int WARMUP_BLOCK = 500;
    private final boolean quick;
    private final Path root;
    private final String java =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, double[]> chart = new LinkedHashMap<>();
    private String base;
    private Process server;

    private Bench(boolean quick, Path root) {
        this.quick = quick;
        this.root = root;
    }

    /** One line of the result table. */
    record Row(String figure, double ours, double baseline, String unit, String target, Boolean pass) {
        String ratio() {
            return baseline > 0 && !Double.isNaN(baseline) ? String.format(Locale.ROOT, "%.2f", ours / baseline) : "-";
        }
    }

    public static void main(String[] args) throws Exception {
        // Idle keep-alive connections kept per server (the JDK keeps 5): one per client thread.
        System.setProperty("http.maxConnections", "256");
        boolean quick = Arrays.asList(args).contains("--quick");
        Path root = Files.createTempDirectory("jobserver-bench-");
        Bench bench = new Bench(quick, root);
        try {
            bench.run();
        } catch (Exception | Error e) {
            bench.stop();
            System.err.println("The benchmark failed; its server's root and logs are kept in " + root);
            throw e;
        }
        bench.stop();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        System.exit(bench.rows.stream().anyMatch(r -> Boolean.FALSE.equals(r.pass)) && !quick ? 1 : 0);
    }

    private int n(int full, int smoke) {
        return quick ? smoke : full;
    }

    /** Seconds run at each concurrency before its throughput is measured, on both sides. */
    private int throughputWarmupSeconds() {
        return n(3, 1);
    }

    private void run() throws Exception {
        System.out.printf(
                Locale.ROOT,
                "Machine: %d cores, %d MiB RAM, %s %s, JDK %s (%s)%n",
                Runtime.getRuntime().availableProcessors(),
                totalMemoryMb(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
        System.out.println("Spark master for contexts and baselines: " + MASTER + (quick ? " (quick smoke run)" : ""));

        startServer();
        pause(3000);
        long serverIdleRss = rssMb(server.pid());
        if (!quick) {
            waitForCdsArchive();
        }

        // Baselines that need the whole machine, while the server is idle.
        double session = median(n(3, 1), () -> timeUntilReady("session"));
        double cold = median(n(3, 1), () -> timeProcess("cold"));

        check(
                post(
                        "/binaries/bench",
                        Files.readAllBytes(Path.of(prop("bench.examples.jar"))),
                        "application/java-archive"),
                201);
        double create = median(n(3, 1), () -> {
            long t = System.nanoTime();
            check(post("/contexts/create-probe?num-cpu-cores=2", new byte[0], "text/plain"), 200);
            double s = (System.nanoTime() - t) / 1e9;
            check(delete("/contexts/create-probe"), 200);
            return s;
        });
        check(post("/contexts/bench?num-cpu-cores=2", new byte[0], "text/plain"), 200);

        // 1. warm persistent context, sync tiny job
        // Both sides get the same warm-up, long enough for the JIT to settle (it compiles Spark's code for
        // thousands of jobs); the p50 of each warm-up block is printed to show where each side stands.
        int warmup = n(WARMUP_BLOCKS * WARMUP_BLOCK, 30);
        int samples = n(1000, 50);
        List<Double> oursWarmup = new ArrayList<>();
        for (int done = 0; done < warmup; done += WARMUP_BLOCK) {
            oursWarmup.add(latencies(Math.min(WARMUP_BLOCK, warmup - done), this::syncJob)[0]);
        }
        double[] ours = latencies(samples, this::syncJob);
        Map<String, Double> inproc = inProcessBaseline(warmup, samples, n(10, 2));
        System.out.println("Warm-up p50 (ms) by block of " + Math.min(WARMUP_BLOCK, warmup) + " jobs: ours "
                + format(oursWarmup)
                + "; in-process "
                + format(inproc.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("warmup_p50_"))
                        .sorted(Map.Entry.comparingByKey(
                                Comparator.comparingInt(k -> Integer.parseInt(k.substring(11)))))
                        .map(Map.Entry::getValue)
                        .toList()));
        rows.add(new Row(
                "1. warm sync job p50 (ms)",
                ours[0],
                inproc.get("latency_p50_ms"),
                "ms",
                "<= in-process x1.15 + 3 ms",
                ours[0] <= inproc.get("latency_p50_ms") * 1.15 + 3));
        rows.add(new Row(
                "1. warm sync job p99 (ms)",
                ours[1],
                inproc.get("latency_p99_ms"),
                "ms",
                "<= in-process x1.3",
                ours[1] <= inproc.get("latency_p99_ms") * 1.3));
        chart.put("warm job", new double[] {ours[0], inproc.get("latency_p50_ms")});

        // 2. concurrency; 5. server memory under it
        AtomicLong maxServerRss = new AtomicLong(serverIdleRss);
        long driver =
                driverPid("bench").orElseThrow(() -> new IllegalStateException("no driver process for context bench"));
        List<String> cpuLines = new ArrayList<>();
        for (int c : new int[] {1, 2, 4, 8}) {
            long[] warmErrors = new long[1];
            long[] errors = new long[1];
            // As in the baseline: a few seconds at this concurrency first, not counted (errors are).
            throughput(c, throughputWarmupSeconds(), warmErrors, maxServerRss);
            long[] cpu0 = {cpuMillis(server.pid()), cpuMillis(driver), Baselines.ownCpuMillis()};
            double perSecond = throughput(c, n(10, 2), errors, maxServerRss);
            errors[0] += warmErrors[0];
            double jobs = perSecond * n(10, 2);
            double baseline = inproc.get("throughput_" + c);
            rows.add(new Row(
                    "2. jobs/s with " + c + " client(s)" + (errors[0] > 0 ? " (" + errors[0] + " errors)" : ""),
                    perSecond,
                    baseline,
                    "jobs/s",
                    ">= 90% of in-process, no errors",
                    perSecond >= 0.9 * baseline && errors[0] == 0));
            cpuLines.add(String.format(
                    Locale.ROOT,
                    "  %d client(s): server %.1f + driver %.1f + HTTP client %.1f; in-process %.1f",
                    c,
                    (cpuMillis(server.pid()) - cpu0[0]) / jobs,
                    (cpuMillis(driver) - cpu0[1]) / jobs,
                    (Baselines.ownCpuMillis() - cpu0[2]) / jobs,
                    inproc.get("cpu_ms_per_job_" + c)));
        }
        System.out.println("CPU ms per job in scenario 2 (2 cores: beyond 1 client, jobs/s ~ 2000 / the sum):");
        cpuLines.forEach(System.out::println);

        // 3. context creation
        rows.add(new Row(
                "3. context creation (s)",
                create,
                session,
                "s",
                "<= 0.75 x bare JVM + SparkSession",
                create <= 0.75 * session));
        chart.put("context start", new double[] {create * 1000, session * 1000});

        // 4. ad-hoc vs spark-submit style
        double adhoc = median(n(3, 1), this::adhocJob);
        rows.add(new Row(
                "4. ad-hoc job end to end (s)", adhoc, cold, "s", "not slower than spark-submit style", adhoc <= cold));
        rows.add(new Row(
                "4. spark-submit style / warm job (x)",
                cold * 1000 / ours[0],
                100,
                "x",
                ">= 100x faster warm",
                cold * 1000 / ours[0] >= 100));
        chart.put("ad-hoc job", new double[] {adhoc * 1000, cold * 1000});

        // 5. memory
        rows.add(new Row("5. server RSS idle (MB)", serverIdleRss, 150, "MB", "<= 150 MB", serverIdleRss <= 150));
        rows.add(new Row(
                "5. server RSS under load (MB)",
                maxServerRss.get(),
                300,
                "MB",
                "<= 300 MB",
                maxServerRss.get() <= 300));
        long driverRss = driverPid("bench").map(this::rssMb).orElse(-1L);
        double bareRss = inproc.get("rss_mb");
        rows.add(new Row(
                "5. context driver RSS (MB)",
                driverRss,
                bareRss,
                "MB",
                "<= 1.1 x bare Spark driver",
                driverRss <= 1.1 * bareRss));

        // 6. listing with 10,000 stored jobs
        int stored = fillJobs(n(10_000, 300));
        double[] list = latencies(n(500, 50), () -> check(get("/jobs?limit=50"), 200));
        String someJob =
                JSON.readTree(get("/jobs?limit=1").body()).get(0).get("jobId").asText();
        double[] one = latencies(n(500, 50), () -> check(get("/jobs/" + someJob), 200));
        rows.add(new Row(
                "6. GET /jobs?limit=50 p99 (ms), " + stored + " jobs",
                list[1],
                Double.NaN,
                "ms",
                "<= 20 ms",
                list[1] <= 20));
        rows.add(new Row("6. GET /jobs/<id> p99 (ms)", one[1], Double.NaN, "ms", "<= 20 ms", one[1] <= 20));
        chart.put("GET /jobs?limit=50", new double[] {list[0], Double.NaN});
        chart.put("GET /jobs/<id>", new double[] {one[0], Double.NaN});

        // 7. 200 pollers
        long[] pollErrors = new long[1];
        double[] poll = pollers(n(200, 20), n(30, 3), someJob, pollErrors);
        rows.add(new Row(
                "7. 200 pollers p99 (ms), " + (long) poll[2] + " req/s",
                poll[1],
                Double.NaN,
                "ms",
                "no errors (" + pollErrors[0] + ")",
                pollErrors[0] == 0));
        chart.put("200 pollers", new double[] {poll[0], Double.NaN});

        // 8. Python: a Python context and a warm Python job, against a Java context and a warm pyspark shell
        python(create);

        printTable();
        Path png = Path.of(System.getProperty("bench.chart", "docs/benchmarks-latency.png"));
        Chart.write(png, chart);
        System.out.println("Chart: " + png.toAbsolutePath());
    }

    // ------------------------------------------------------------------ Python

    private static final String PYTHON_FACTORY = "context-factory=spark.jobserver.python.PythonSessionContextFactory";

    private void python(double javaCreate) throws Exception {
        check(post("/binaries/bench-py", Files.readAllBytes(pythonExamples(".whl")), "application/python-wheel"), 201);
        double create = median(n(3, 1), () -> {
            long t = System.nanoTime();
            check(post("/contexts/py-probe?num-cpu-cores=2&" + PYTHON_FACTORY, new byte[0], "text/plain"), 200);
            double s = (System.nanoTime() - t) / 1e9;
            check(delete("/contexts/py-probe"), 200);
            return s;
        });
        rows.add(new Row(
                "8. Python context creation (s)",
                create,
                javaCreate,
                "s",
                "<= Java context (3.) + 1.5 s",
                create <= javaCreate + 1.5));
        chart.put("Python context start", new double[] {create * 1000, javaCreate * 1000});

        check(post("/contexts/bench-py?num-cpu-cores=2&" + PYTHON_FACTORY, new byte[0], "text/plain"), 200);
        int warmup = n(300, 10);
        int samples = n(300, 20);
        latencies(warmup, this::pythonJob);
        double[] ours = latencies(samples, this::pythonJob);
        Map<String, Double> shell = pysparkShell(warmup, samples);
        rows.add(new Row(
                "8. warm Python job p50 (ms)",
                ours[0],
                shell.get("p50_ms"),
                "ms",
                "<= pyspark shell + 15 ms",
                ours[0] <= shell.get("p50_ms") + 15));
        rows.add(new Row(
                "8. warm Python job p99 (ms)",
                ours[1],
                shell.get("p99_ms"),
                "ms",
                "<= pyspark shell x1.5 + 15 ms",
                ours[1] <= shell.get("p99_ms") * 1.5 + 15));
        chart.put("warm Python job", new double[] {ours[0], shell.get("p50_ms")});

        // What a Python process per job would cost each job, and what one per context keeps.
        long driver = driverPid("bench-py").orElseThrow();
        long python = ProcessHandle.of(driver).stream()
                .flatMap(ProcessHandle::descendants)
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> List.of(a).contains("sparkjobserver.worker"))
                        .orElse(false))
                .map(ProcessHandle::pid)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no Python process under the driver of bench-py"));
        rows.add(new Row(
                "8. Python process start to ready (ms)",
                pythonReadyMillis(),
                ours[0],
                "ms",
                "what a process per job would add to each",
                null));
        rows.add(new Row(
                "8. Python process RSS (MB)", rssMb(python), Double.NaN, "MB", "kept per Python context", null));
        check(delete("/contexts/bench-py"), 200);
    }

    private void pythonJob() {
        Reply r = post(
                "/jobs?appName=bench-py&classPath=example_jobs.word_count.WordCountSparkSessionJob&context=bench-py"
                        + "&sync=true&timeout=60",
                "input.strings = [a, b, a, b]".getBytes(StandardCharsets.UTF_8),
                "text/plain");
        check(r, 200);
        if (!r.body().contains("\"result\":{\"a\":2,\"b\":2}")) {
            throw new IllegalStateException("unexpected result " + r.body());
        }
    }

    /** The median time the bench-py context's Python process took to be ready, from its driver log. */
    private double pythonReadyMillis() throws IOException {
        Pattern ready = Pattern.compile("Python of context '[^']+' is ready in (\\d+) ms");
        List<Long> times = new ArrayList<>();
        try (Stream<Path> logs = Files.walk(root.resolve("root").resolve("contexts"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().equals("driver.log"))
                    .toList()) {
                for (String line : Files.readAllLines(log)) {
                    Matcher m = ready.matcher(line);
                    if (m.find()) {
                        times.add(Long.parseLong(m.group(1)));
                    }
                }
            }
        }
        Collections.sort(times);
        return times.isEmpty() ? Double.NaN : times.get(times.size() / 2);
    }

    /**
     * The same word count in a pyspark shell of its own: pyspark starts its JVM through
     * {@code SPARK_HOME/bin/spark-submit}, here a script running SparkSubmit on the drivers' class path.
     */
    private Map<String, Double> pysparkShell(int warmup, int samples) throws Exception {
        Path home = root.resolve("spark-home");
        Files.createDirectories(home.resolve("bin"));
        Path submit = home.resolve("bin").resolve("spark-submit");
        List<String> jvm = new ArrayList<>(List.of(java, "-Xmx1g"));
        jvm.addAll(spark.jobserver.protocol.DriverLaunch.SPARK_JVM_OPTIONS);
        jvm.addAll(List.of("-cp", prop("bench.driver.classpath"), "org.apache.spark.deploy.SparkSubmit"));
        Files.writeString(
                submit,
                "#!/bin/sh\nexec "
                        + String.join(" ", jvm.stream().map(a -> "'" + a + "'").toList())
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder(
                        "python3", prop("bench.python.baseline"), Integer.toString(warmup), Integer.toString(samples))
                .redirectError(root.resolve("pyspark-shell.log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("PYTHONPATH", prop("bench.python.path"));
        pb.environment().put("PYSPARK_PYTHON", "python3");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(
                    "the pyspark shell baseline failed; see " + root.resolve("pyspark-shell.log"));
        }
        JsonNode json = JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
        return Map.of(
                "p50_ms",
                json.get("p50_ms").asDouble(),
                "p99_ms",
                json.get("p99_ms").asDouble());
    }

    private static Path pythonExamples(String extension) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(prop("bench.examples.python.dir")))) {
            return files.filter(f -> f.getFileName().toString().endsWith(extension))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + extension + " example package"));
        }
    }

    // ------------------------------------------------------------------ server

    private void startServer() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path conf = root.resolve("bench.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "spark.master = \"" + MASTER + "\"",
                        "spark.jobserver.port = " + port,
                        "spark.jobserver.bind-address = \"127.0.0.1\"",
                        "spark.jobserver.rootdir = \"" + root.resolve("root") + "\"",
                        "spark.jobserver.driver.jar = \"" + prop("bench.driver.jar") + "\"",
                        "spark.jobserver.driver.classpath-file = \"" + prop("bench.driver.classpath-file") + "\"",
                        "spark.jobserver.driver.class-data-sharing = " + !quick,
                        "spark.context-settings.spark.ui.enabled = false",
                        "spark.context-settings.launcher.spark.driver.memory = 1g",
                        "spark.jobserver.driver.environment.JOBSERVER_PYTHON_PATH = \"" + prop("bench.python.path")
                                + "\"",
                        // HOCON over the above, to compare settings (e.g. progress-interval = 0s)
                        System.getenv().getOrDefault("BENCH_SERVER_CONFIG", ""),
                        ""));
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(prop("bench.server.jvm-options").lines().toList()); // one per line (bench/run)
        cmd.addAll(
                List.of("-cp", prop("bench.server.classpath"), "spark.jobserver.server.Main", "-c", conf.toString()));
        System.out.println("Server JVM options (conf/server-jvm.options): "
                + String.join(" ", prop("bench.server.jvm-options").lines().toList()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("server.log").toFile());
        server = pb.start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/healthz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                pause(100);
            }
        }
        throw new IllegalStateException("server did not start; see " + root.resolve("server.log"));
    }

    private void waitForCdsArchive() throws Exception {
        Path cds = root.resolve("root").resolve("cds");
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        System.out.println("Waiting for the driver class-data sharing archive (built once in the background)...");
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(cds)) {
                try (Stream<Path> files = Files.list(cds)) {
                    if (files.anyMatch(p -> p.toString().endsWith(".jsa"))) {
                        return;
                    }
                }
            }
            pause(500);
        }
        System.out.println("  (no archive after 4 min: context creation is measured without it)");
    }

    private void stop() {
        if (server != null) {
            try {
                delete("/contexts/bench");
            } catch (Exception e) {
                // the server may already be gone
            }
            server.descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroy();
            try {
                server.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    // ------------------------------------------------------------------ scenarios

    private void syncJob() {
        Reply r = post(
                "/jobs?appName=bench&classPath=spark.jobserver.WordCountExample&context=bench&sync=true&timeout=60",
                Baselines.INPUT.getBytes(StandardCharsets.UTF_8),
                "text/plain");
        check(r, 200);
        if (!r.body().contains("\"see\":1")) {
            throw new IllegalStateException("unexpected result " + r.body());
        }
    }

    private double adhocJob() throws Exception {
        long t = System.nanoTime();
        Reply r = post(
                "/jobs?appName=bench&classPath=spark.jobserver.WordCountExample",
                Baselines.INPUT.getBytes(StandardCharsets.UTF_8),
                "text/plain");
        check(r, 202);
        String id = JSON.readTree(r.body()).get("jobId").asText();
        while (true) {
            JsonNode job = JSON.readTree(get("/jobs/" + id).body());
            String status = job.get("status").asText();
            if (status.equals("FINISHED")) {
                return (System.nanoTime() - t) / 1e9;
            }
            if (!status.equals("RUNNING") && !status.equals("STARTED")) {
                throw new IllegalStateException("ad-hoc job ended " + job);
            }
            pause(20);
        }
    }

    private double throughput(int clients, int seconds, long[] errors, AtomicLong maxRss) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch finished = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            new Thread(
                            () -> {
                                while (System.nanoTime() < end) {
                                    try {
                                        syncJob();
                                        done.incrementAndGet();
                                    } catch (RuntimeException e) {
                                        failed.incrementAndGet();
                                    }
                                }
                                finished.countDown();
                            },
                            "bench-client-" + i)
                    .start();
        }
        while (finished.getCount() > 0) {
            maxRss.accumulateAndGet(rssMb(server.pid()), Math::max);
            pause(250);
        }
        errors[0] = failed.get();
        return done.get() / (double) seconds;
    }

    private int fillJobs(int wanted) throws Exception {
        int have = JSON.readTree(get("/jobs?limit=" + (wanted + 1)).body()).size();
        int missing = wanted - have;
        if (missing <= 0) {
            return have;
        }
        System.out.println("Storing " + missing + " more jobs (8 concurrent clients)...");
        AtomicLong left = new AtomicLong(missing);
        CountDownLatch finished = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            new Thread(() -> {
                        while (left.getAndDecrement() > 0) {
                            Reply r = post(
                                    "/jobs?appName=bench&classPath=spark.jobserver.NoOpJob&context=bench&sync=true&timeout=60",
                                    new byte[0],
                                    "text/plain");
                            if (r.statusCode() != 200) {
                                left.incrementAndGet();
                            }
                        }
                        finished.countDown();
                    })
                    .start();
        }
        finished.await();
        return JSON.readTree(get("/jobs?limit=" + (wanted + 1)).body()).size();
    }

    private double[] pollers(int clients, int seconds, String jobId, long[] errors) throws Exception {
        List<Long> all = Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch finished = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            new Thread(() -> {
                        List<Long> mine = new ArrayList<>();
                        while (System.nanoTime() < end) {
                            long t = System.nanoTime();
                            try {
                                if (get("/jobs/" + jobId).statusCode() != 200) {
                                    failed.incrementAndGet();
                                }
                            } catch (IOException | RuntimeException e) {
                                failed.incrementAndGet();
                            }
                            mine.add(System.nanoTime() - t);
                        }
                        all.addAll(mine);
                        finished.countDown();
                    })
                    .start();
        }
        finished.await();
        errors[0] = failed.get();
        long[] nanos = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return new double[] {
            nanos[nanos.length / 2] / 1e6,
            nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6,
            nanos.length / (double) seconds
        };
    }

    // ------------------------------------------------------------------ baselines

    private List<String> baselineCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g"));
        cmd.addAll(spark.jobserver.protocol.DriverLaunch.SPARK_JVM_OPTIONS);
        cmd.add("-Dbench.master=" + MASTER);
        cmd.add("-cp");
        cmd.add(prop("bench.bench.jar") + ":" + prop("bench.examples.jar") + ":" + prop("bench.api.jar") + ":"
                + prop("bench.driver.classpath"));
        cmd.add(Baselines.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Map<String, Double> inProcessBaseline(int warmup, int samples, int seconds) throws Exception {
        System.out.println("Running the in-process baseline...");
        Map<String, Double> results = new HashMap<>();
        Process p = new ProcessBuilder(baselineCommand(
                        "inprocess",
                        Integer.toString(warmup),
                        Integer.toString(WARMUP_BLOCK),
                        Integer.toString(samples),
                        "1,2,4,8",
                        Integer.toString(seconds),
                        Integer.toString(throughputWarmupSeconds())))
                .redirectError(root.resolve("inprocess.log").toFile())
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    String[] parts = line.split(" ");
                    results.put(parts[1], Double.parseDouble(parts[2]));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("in-process baseline failed; see " + root.resolve("inprocess.log"));
        }
        return results;
    }

    private double timeUntilReady(String mode) {
        try {
            long t = System.nanoTime();
            Process p = new ProcessBuilder(baselineCommand(mode))
                    .redirectError(root.resolve(mode + ".log").toFile())
                    .start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("READY")) {
                        double seconds = (System.nanoTime() - t) / 1e9;
                        p.waitFor();
                        return seconds;
                    }
                }
            }
            throw new IllegalStateException(mode + " baseline never got ready; see " + root.resolve(mode + ".log"));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private double timeProcess(String mode) {
        try {
            long t = System.nanoTime();
            Process p = new ProcessBuilder(baselineCommand(mode))
                    .redirectError(root.resolve(mode + ".log").toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(mode + " baseline failed; see " + root.resolve(mode + ".log"));
            }
            return (System.nanoTime() - t) / 1e9;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A reply: status and body. */
    record Reply(int statusCode, String body, String request) {}

    private Reply get(String path) throws IOException {
        return send("GET", path, null, null, 120);
    }

    private Reply post(String path, byte[] body, String contentType) {
        try {
            return send("POST", path, body, contentType, 180);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply delete(String path) throws IOException {
        return send("DELETE", path, null, null, 60);
    }

    /**
     * One request with the JDK's blocking client, which keeps connections alive per thread: the load
     * generator shares the 2 cores with what it measures, and this client takes a fraction of the CPU of
     * java.net.http's asynchronous one (1-3 ms per job, measured).
     */
    private Reply send(String method, String path, byte[] body, String contentType, int timeoutSeconds)
            throws IOException {
        HttpURLConnection c =
                (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(timeoutSeconds * 1000);
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", contentType);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        // Read to the end, error or not, so that the connection goes back to the keep-alive cache.
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            return new Reply(
                    status,
                    in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    method + " " + path);
        }
    }

    private static Reply check(Reply r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request() + " -> " + r.statusCode() + " " + r.body());
        }
        return r;
    }

    /** Runs {@code action} {@code n} times; [p50, p99] in ms. */
    private static double[] latencies(int n, ThrowingRunnable action) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            action.run();
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new double[] {nanos[n / 2] / 1e6, nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6};
    }

    private static String format(List<Double> values) {
        return String.join(
                ", ",
                values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList());
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @FunctionalInterface
    private interface Measure {
        double get() throws Exception;
    }

    private static double median(int n, Measure measure) throws Exception {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = measure.get();
        }
        Arrays.sort(values);
        return values[n / 2];
    }

    private Optional<Long> driverPid(String contextName) {
        try {
            String id = JSON.readTree(get("/contexts/" + contextName).body())
                    .get("id")
                    .asText();
            Path dir = root.resolve("root").resolve("contexts").resolve(id);
            return server.descendants()
                    .filter(p -> dir.equals(cwd(p)))
                    .map(ProcessHandle::pid)
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path cwd(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (IOException e) {
            return null;
        }
    }

    /** CPU time (user + system) of a process so far, in ms. */
    private static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[11], [12]: utime, stime (fields 14, 15 of proc(5)), in clock ticks of 10 ms
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException e) {
            return -1;
        }
    }

    private long rssMb(long pid) {
        try {
            return Baselines.rssMb(Path.of("/proc", Long.toString(pid), "status"));
        } catch (IOException e) {
            return -1;
        }
    }

    private static long totalMemoryMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return -1;
    }

    private static String prop(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " not set: run bench/run");
        }
        return value;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printTable() {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-48s %12s %12s %8s  %-40s %s%n",
                "figure",
                "ours",
                "baseline",
                "ratio",
                "target",
                "result");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "%-48s %12.2f %12s %8s  %-40s %s%n",
                    r.figure,
                    r.ours,
                    Double.isNaN(r.baseline) ? "-" : String.format(Locale.ROOT, "%.2f", r.baseline),
                    r.ratio(),
                    r.target,
                    r.pass == null ? "" : r.pass ? "PASS" : "FAIL");
        }
    }
}
