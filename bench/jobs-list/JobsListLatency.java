import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.JobServer;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobStatus;
import spark.jobserver.server.store.Database;

/**
 * GET /jobs?limit=50 against a real server (in this JVM, on a free port) whose store holds 10,000 jobs,
 * inserted directly through the job store. Sequential requests over loopback; prints percentiles.
 */
public final class JobsListLatency {
    private static final int JOBS = 10_000;
    private static final int WARMUP = 500;
    private static final int MEASURED = 2_000;

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("jobs-list-bench-");
        String url = args.length > 0 ? args[0] : "jdbc:h2:file:" + root.resolve("h2-db");
        String user = args.length > 1 ? args[1] : "";
        String password = args.length > 2 ? args[2] : "";
        String scratch = null;
        if (url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            scratch = "jobserver_test_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            boolean pg = url.startsWith("jdbc:postgresql:");
            execute(url, user, password, pg ? "CREATE SCHEMA " + scratch : "CREATE DATABASE " + scratch);
            url = pg ? url + (url.contains("?") ? "&" : "?") + "currentSchema=" + scratch
                    : url.replaceFirst("(//[^/]+)/[^?]*", "$1/" + scratch);
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put("spark.jobserver.port", 0);
        settings.put("spark.jobserver.bind-address", "127.0.0.1");
        settings.put("spark.jobserver.rootdir", root.toString());
        settings.put("spark.jobserver.sqldao.jdbc.url", url);
        settings.put("spark.jobserver.sqldao.jdbc.user", user);
        settings.put("spark.jobserver.sqldao.jdbc.password", password);
        ServerConfig config = ServerConfig.from(Configs.load(null, ConfigFactory.parseMap(settings)));
        try {
            run(config);
        } finally {
            if (scratch != null) {
                boolean pg = args[0].startsWith("jdbc:postgresql:");
                execute(args[0], user, password, pg ? "DROP SCHEMA " + scratch + " CASCADE" : "DROP DATABASE " + scratch);
            }
        }
    }

    private static void run(ServerConfig config) throws Exception {
        long t0 = System.nanoTime();
        try (Database database = Database.open(config.database(), config.rootDir())) {
            JdbcJobStore store = new JdbcJobStore(database);
            // recent: older ended jobs would be pruned (dao-cleanup-after) as soon as the server starts
            long start = System.currentTimeMillis() - JOBS * 1000L;
            for (int i = 0; i < JOBS; i++) {
                JobStatus status = i % 50 == 0 ? JobStatus.RUNNING : i % 10 == 0 ? JobStatus.ERROR : JobStatus.FINISHED;
                Instant begin = Instant.ofEpochMilli(start + i * 1000L);
                JobInfo job = new JobInfo(UUID.randomUUID().toString(), "ctx-" + (i % 5), "context-" + (i % 5), "app",
                        "spark.jobserver.WordCountExample", List.of("app"), "{\"input\":{\"string\":\"a b c a b see\"}}",
                        JobStatus.RUNNING, begin, null, null, null, null);
                store.insert(job);
                if (status != JobStatus.RUNNING) {
                    store.finish(new JobInfo(job.jobId(), job.contextId(), job.contextName(), job.appName(), job.classPath(),
                            job.binaries(), job.config(), status, begin, begin.plusMillis(412),
                            status == JobStatus.FINISHED ? "{\"a\":2,\"b\":2,\"c\":1,\"see\":1,\"pad\":\"" + "x".repeat(2000) + "\"}" : null,
                            status == JobStatus.ERROR ? new ErrorInfo("boom", "java.lang.IllegalStateException",
                                    "at spark.jobserver.X.run(X.java:1)\n".repeat(30)) : null, null));
                }
            }
        }
        System.out.printf("inserted %,d jobs in %.1f s (%s)%n", JOBS, (System.nanoTime() - t0) / 1e9, config.database().jdbcUrl());

        try (JobServer server = JobServer.create(config).start()) {
            HttpClient client = HttpClient.newHttpClient();
            for (String query : List.of("/jobs?limit=50", "/jobs?limit=50&status=FINISHED")) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + query)).build();
                for (int i = 0; i < WARMUP; i++) {
                    check(client.send(request, HttpResponse.BodyHandlers.ofString()));
                }
                long[] micros = new long[MEASURED];
                for (int i = 0; i < MEASURED; i++) {
                    long s = System.nanoTime();
                    check(client.send(request, HttpResponse.BodyHandlers.ofString()));
                    micros[i] = (System.nanoTime() - s) / 1000;
                }
                Arrays.sort(micros);
                System.out.printf("GET %-32s n=%d  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms%n", query, MEASURED,
                        micros[MEASURED / 2] / 1000.0, micros[MEASURED * 90 / 100] / 1000.0,
                        micros[MEASURED * 99 / 100] / 1000.0, micros[MEASURED - 1] / 1000.0);
            }
        }
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200 || !response.body().startsWith("[{")) {
            throw new IllegalStateException("unexpected reply " + response.statusCode() + ": " + response.body());
        }
    }

    private static void execute(String url, String user, String password, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            c.createStatement().execute(sql);
        }
    }
}
