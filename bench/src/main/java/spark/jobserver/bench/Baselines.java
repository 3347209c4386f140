package spark.jobserver.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import spark.jobserver.SparkJobValid$;
import spark.jobserver.WordCountExample$;

/**
 * The baselines, each run in a JVM of its own by {@link Bench}:
 * <ul>
 *   <li>{@code inprocess}: the job called directly on a warm SparkContext (the limit);</li>
 *   <li>{@code cold}: create a SparkContext, run the job once, exit (spark-submit style);</li>
 *   <li>{@code session}: create a SparkSession and exit (the floor for context creation).</li>
 * </ul>
 * Results are printed as {@code RESULT key value} lines.
 */
public final class Baselines {
    static final String INPUT = "input.string = a b c a b see";

    private Baselines() {}

    public static void main(String[] args) throws Exception {
        String master = System.getProperty("bench.master", "local[2]");
        switch (args[0]) {
            case "inprocess" ->
                inProcess(
                        master,
                        Integer.parseInt(args[1]),
                        Integer.parseInt(args[2]),
                        Integer.parseInt(args[3]),
                        Arrays.stream(args[4].split(","))
                                .mapToInt(Integer::parseInt)
                                .toArray(),
                        Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]));
            case "cold" -> cold(master);
            case "session" -> session(master);
            default -> throw new IllegalArgumentException("unknown baseline " + args[0]);
        }
        System.exit(0);
    }

    private static SparkConf conf(String master) {
        return new SparkConf()
                .setMaster(master)
                .setAppName("bench-baseline")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
    }

    private static void inProcess(
            String master, int warmup, int block, int samples, int[] concurrencies, int seconds, int warmupSeconds)
            throws Exception {
        SparkContext sc = new SparkContext(conf(master));
        Config config = ConfigFactory.parseString(INPUT);
        for (int done = 0, i = 0; done < warmup; done += block, i++) {
            System.out.println(
                    "RESULT warmup_p50_" + i + " " + latencies(sc, config, Math.min(block, warmup - done))[0]);
        }
        double[] latency = latencies(sc, config, samples);
        System.out.println("RESULT latency_p50_ms " + latency[0]);
        System.out.println("RESULT latency_p99_ms " + latency[1]);
        for (int c : concurrencies) {
            throughput(sc, config, c, warmupSeconds);
            long cpu = ownCpuMillis();
            double perSecond = throughput(sc, config, c, seconds);
            System.out.println("RESULT throughput_" + c + " " + perSecond);
            System.out.println("RESULT cpu_ms_per_job_" + c + " " + (ownCpuMillis() - cpu) / (perSecond * seconds));
        }
        System.out.println("RESULT rss_mb " + rssMb());
        sc.stop();
    }

    /** Runs the job {@code n} times; [p50, p99] in ms. */
    private static double[] latencies(SparkContext sc, Config config, int n) throws Exception {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            runOnce(sc, config);
            nanos[i] = System.nanoTime() - t;
        }
        Arrays.sort(nanos);
        return new double[] {nanos[n / 2] / 1e6, nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6};
    }

    private static double throughput(SparkContext sc, Config config, int clients, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch finished = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(
                    () -> {
                        try {
                            while (System.nanoTime() < end) {
                                runOnce(sc, config);
                                done.incrementAndGet();
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        } finally {
                            finished.countDown();
                        }
                    },
                    "bench-client-" + i);
            threads.add(t);
            t.start();
        }
        finished.await();
        return done.get() / (double) seconds;
    }

    private static void runOnce(SparkContext sc, Config config) throws Exception {
        // a Scala object, as the original's: one instance for every run
        WordCountExample$ job = WordCountExample$.MODULE$;
        if (job.validate(sc, config) != SparkJobValid$.MODULE$) {
            throw new IllegalStateException("invalid");
        }
        Object result = job.runJob(sc, config);
        if (result == null) {
            throw new IllegalStateException("no result");
        }
    }

    private static void cold(String master) throws Exception {
        SparkContext sc = new SparkContext(conf(master));
        Object result = WordCountExample$.MODULE$.runJob(sc, ConfigFactory.parseString(INPUT));
        System.out.println("RESULT cold_result " + result);
        sc.stop();
    }

    private static void session(String master) {
        SparkSession session = SparkSession.builder().config(conf(master)).getOrCreate();
        System.out.println("READY");
        System.out.flush();
        session.stop();
    }

    /** This JVM's CPU time (all threads, user + system) so far, in ms. */
    static long ownCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean)
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1_000_000;
    }

    static long rssMb() throws IOException {
        return rssMb(Path.of("/proc/self/status"));
    }

    static long rssMb(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
