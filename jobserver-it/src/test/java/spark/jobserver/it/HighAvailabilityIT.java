package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three server processes on one PostgreSQL (the one {@code .ci/run} starts, in a schema of this test's own),
 * with real drivers: a context made through one server is used through the others; killing the server a
 * driver is attached to loses no job and no result, even one whose commit the kill cut short.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HighAvailabilityIT {
    private static final String CONTEXT = "shared";
    private static final String SLEEP = "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + CONTEXT;
    private static final String WORDS = "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context="
            + CONTEXT + "&sync=true&timeout=60";

    private static String jdbcUrl;
    private static String adminUrl;
    private static String schema;
    private static final List<JobServerProcess> servers = new ArrayList<>();

    @BeforeAll
    static void startThreeServers() throws SQLException {
        String url = env("JOBSERVER_TEST_POSTGRESQL_URL", "jdbc:postgresql://127.0.0.1:5432/jobserver_test");
        String name = "ha_it_" + UUID.randomUUID().toString().substring(0, 8);
        adminUrl = url;
        try (Connection c = DriverManager.getConnection(url, user(), password());
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + name);
            schema = name;
        } catch (SQLException e) {
            Assumptions.assumeFalse(
                    !"true".equals(System.getenv("JOBSERVER_REQUIRE_ALL_DATABASES")),
                    "PostgreSQL is not reachable at " + url + ": " + e.getMessage());
            throw e;
        }
        jdbcUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name;
        for (int i = 0; i < 3; i++) {
            servers.add(JobServerProcess.start(
                    serverConfig(i == 2 ? "spark.jobserver.admission.max-starting-contexts = 1" : ""), "256m"));
        }
    }

    private static String serverConfig(String extra) {
        return String.join(
                "\n",
                "spark.jobserver.sqldao.jdbc.url = \"" + jdbcUrl + "\"",
                "spark.jobserver.sqldao.jdbc.user = \"" + user() + "\"",
                "spark.jobserver.sqldao.jdbc.password = \"" + password() + "\"",
                "spark.jobserver.ha.enabled = true",
                "spark.jobserver.ha.lease-interval = 1s",
                "spark.jobserver.ha.lease-timeout = 5s",
                extra);
    }

    /** Every server runs at the start of each test, whatever an earlier one left. */
    @org.junit.jupiter.api.BeforeEach
    void allServersRun() {
        for (JobServerProcess server : servers) {
            if (!server.isAlive()) {
                server.startAgain();
            }
        }
    }

    @AfterAll
    static void stopServers() throws SQLException {
        servers.forEach(JobServerProcess::close);
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(adminUrl, user(), password());
                    Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String user() {
        return env("JOBSERVER_TEST_POSTGRESQL_USER", "jobserver");
    }

    private static String password() {
        return env("JOBSERVER_TEST_POSTGRESQL_PASSWORD", "jobserver");
    }

    private static TestingJobServer server(int i) {
        return servers.get(i).http();
    }

    private static String status(TestingJobServer.Reply reply) {
        return reply.json().path("status").asText();
    }

    /** The server the shared context's driver is attached to now, by the database's word. */
    private static int owner() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user(), password());
                PreparedStatement ps = c.prepareStatement(
                        "SELECT owner FROM contexts WHERE name = ? AND state NOT IN ('FINISHED', 'ERROR', 'KILLED')")) {
            ps.setString(1, CONTEXT);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the shared context is recorded").isTrue();
                String owner = rs.getString(1);
                for (int i = 0; i < servers.size(); i++) {
                    if (servers.get(i).baseUrl().equals(owner)) {
                        return i;
                    }
                }
                throw new AssertionError("no server is " + owner);
            }
        }
    }

    /** A server other than {@code i} that is alive. */
    private static int another(int i) {
        for (int j = 1; j < servers.size(); j++) {
            int k = (i + j) % servers.size();
            if (servers.get(k).isAlive()) {
                return k;
            }
        }
        throw new AssertionError("no other server is alive");
    }

    /** Runs a small sync job through {@code via} until the shared context answers; returns how long that took. */
    private static Duration untilTheContextAnswers(int via, Instant since) {
        Instant deadline = since.plus(Duration.ofSeconds(90));
        TestingJobServer.Reply last = null;
        while (Instant.now().isBefore(deadline)) {
            last = server(via).post(WORDS, "input.string = a b a");
            if (last.status() == 200) {
                assertThat(last.json().path("result").path("a").asInt()).isEqualTo(2);
                return Duration.between(since, Instant.now());
            }
            JobServerProcess.sleep(100);
        }
        throw new AssertionError("the shared context did not answer through server " + via + ": " + last);
    }

    private static double syncMillis(int via) {
        long start = System.nanoTime();
        TestingJobServer.Reply reply = server(via).post(WORDS, "input.string = a b a");
        double millis = (System.nanoTime() - start) / 1e6;
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return millis;
    }

    @Test
    @Order(1)
    void aContextMadeThroughOneServerIsUsedThroughTheOthers() throws SQLException {
        server(1).uploadExamples("test");
        server(0).createContext(CONTEXT, "");
        assertThat(owner()).isEqualTo(0);

        for (int i = 1; i < 3; i++) {
            assertThat(server(i).get("/contexts").json().toString()).contains(CONTEXT);
            assertThat(server(i)
                            .get("/contexts/" + CONTEXT)
                            .json()
                            .path("state")
                            .asText())
                    .isEqualTo("RUNNING");
            TestingJobServer.Reply sync = server(i).post(WORDS, "input.string = a b a");
            assertThat(sync.status()).as(sync.toString()).isEqualTo(200);
            assertThat(sync.json().path("result").path("b").asInt()).isEqualTo(1);
        }
        // what forwarding costs: small sync jobs through the context's server and through another, alternately
        // so that the JIT's warm-up weighs on both alike (a figure for the log, not a timed assertion)
        double[][] millis = new double[2][40];
        for (int i = 0; i < 40; i++) {
            millis[0][i] = syncMillis(0);
            millis[1][i] = syncMillis(1);
        }
        java.util.Arrays.sort(millis[0]);
        java.util.Arrays.sort(millis[1]);
        System.out.printf(
                Locale.ROOT,
                "[ha] sync word count p50 of 40: %.1f ms through the context's server, %.1f ms forwarded%n",
                millis[0][20],
                millis[1][20]);
        // an async job started through one server, followed and read through another
        TestingJobServer.Reply started = server(2).post(SLEEP, "sleep.time.millis = 500");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().path("jobId").asText();
        JsonNode done = server(1)
                .await("/jobs/" + jobId, r -> status(r).equals("FINISHED"), Duration.ofSeconds(60))
                .json();
        assertThat(done.path("result").asLong()).isEqualTo(500);
        // a POST repeated with the same Idempotency-Key through another server starts nothing new
        String key = "ha-" + UUID.randomUUID();
        TestingJobServer.Reply once = server(1).send("POST", SLEEP, "sleep.time.millis = 100", "Idempotency-Key", key);
        assertThat(once.status()).as(once.toString()).isEqualTo(202);
        TestingJobServer.Reply again = server(2).send("POST", SLEEP, "sleep.time.millis = 100", "Idempotency-Key", key);
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        assertThat(again.json().path("jobId").asText())
                .isEqualTo(once.json().path("jobId").asText());
        assertThat(again.header("Idempotent-Replayed")).contains("true");
        long sleeps = 0;
        for (JsonNode listed : server(0).get("/jobs?limit=1000").json()) {
            sleeps += listed.path("classPath").asText().equals("spark.jobserver.SleepJob") ? 1 : 0;
        }
        assertThat(sleeps).as("one job for the two requests").isEqualTo(2); // this one and the 500 ms one
        // a kill through a server that does not have the context goes to the one that does
        TestingJobServer.Reply longJob = server(2).post(SLEEP, "sleep.time.millis = 60000");
        String longId = longJob.json().path("jobId").asText();
        TestingJobServer.Reply killed = server(1).delete("/jobs/" + longId);
        assertThat(killed.status()).as(killed.toString()).isEqualTo(200);
        assertThat(status(server(2).get("/jobs/" + longId))).isEqualTo("KILLED");
    }

    @Test
    @Order(2)
    void killingTheServerADriverIsAttachedToLetsItsRunningJobFinishOnAnother() throws SQLException {
        int first = owner();
        TestingJobServer.Reply started = server(another(first)).post(SLEEP, "sleep.time.millis = 6000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().path("jobId").asText();

        Instant killed = Instant.now();
        servers.get(first).kill9();
        Duration failOver = untilTheContextAnswers(another(first), killed);
        System.out.printf(Locale.ROOT, "[ha] fail-over after kill -9: %d ms%n", failOver.toMillis());

        int now = owner();
        assertThat(now).isNotEqualTo(first);
        JsonNode job = server(another(now))
                .await("/jobs/" + jobId, r -> !status(r).equals("RUNNING"), Duration.ofSeconds(60))
                .json();
        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("FINISHED");
        assertThat(job.path("result").asLong()).isEqualTo(6000);
        // the killed server comes back and serves the context through its new server
        servers.get(first).startAgain();
        TestingJobServer.Reply through = server(first).post(WORDS, "input.string = a b a");
        assertThat(through.status()).as(through.toString()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void aResultWhoseCommitAKillCutShortIsKept() throws Exception {
        int attached = owner();
        TestingJobServer.Reply started = server(another(attached)).post(SLEEP, "sleep.time.millis = 3000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().path("jobId").asText();

        try (Connection blocker = DriverManager.getConnection(jdbcUrl, user(), password())) {
            blocker.setAutoCommit(false);
            try (PreparedStatement lock = blocker.prepareStatement("SELECT id FROM jobs WHERE id = ? FOR UPDATE")) {
                lock.setString(1, jobId);
                lock.executeQuery().close();
            }
            // The job ends; its server's UPDATE of the job's row waits on the lock: the end is not committed.
            long waiting = awaitBlockedUpdate(blocker, Duration.ofSeconds(60));
            servers.get(attached).kill9();
            // the killed server's connection goes with it, its UPDATE never commits
            try (PreparedStatement end = blocker.prepareStatement("SELECT pg_terminate_backend(?)")) {
                end.setInt(1, (int) waiting);
                end.executeQuery().close();
            }
            try (PreparedStatement read = blocker.prepareStatement("SELECT status FROM jobs WHERE id = ?")) {
                read.setString(1, jobId);
                try (ResultSet rs = read.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as("the end was not committed").isEqualTo("RUNNING");
                }
            }
            blocker.rollback();
        }

        // The driver kept the unacknowledged end and sends it to the server it fails over to.
        JsonNode job = server(another(attached))
                .await("/jobs/" + jobId, r -> !status(r).equals("RUNNING"), Duration.ofSeconds(90))
                .json();
        assertThat(job.path("status").asText()).as(job.toString()).isEqualTo("FINISHED");
        assertThat(job.path("result").asLong()).isEqualTo(3000);
        servers.get(attached).startAgain();
    }

    /**
     * The backend pid of the server connection that waits on the test's lock of the job's row: the job's end
     * being recorded (its UPDATE, or the insert of its final progress, which checks the row's key).
     */
    private static long awaitBlockedUpdate(Connection c, Duration timeout) throws SQLException {
        Instant deadline = Instant.now().plus(timeout);
        // blocked by this connection's lock: not some other test's session on the same database
        String sql = "SELECT pid, query FROM pg_stat_activity WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))";
        while (Instant.now().isBefore(deadline)) {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                if (rs.next()) {
                    String query = rs.getString(2);
                    System.out.println("[ha] a server waits on the job's row: " + query);
                    return rs.getLong(1);
                }
            }
            JobServerProcess.sleep(100);
        }
        StringBuilder activity = new StringBuilder();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid, state, wait_event_type, wait_event, query FROM"
                        + " pg_stat_activity WHERE datname = current_database()")) {
            while (rs.next()) {
                activity.append('\n')
                        .append(rs.getLong(1))
                        .append(' ')
                        .append(rs.getString(2))
                        .append(' ')
                        .append(rs.getString(3))
                        .append(' ')
                        .append(rs.getString(4))
                        .append(' ')
                        .append(rs.getString(5));
            }
        }
        throw new AssertionError("no server waited on the job's row within " + timeout + "; sessions:" + activity);
    }

    @Test
    @Order(4)
    void aServerStartingAsManyContextsAsItMayAnswers429WithRetryAfter() throws Exception {
        // server 2 starts at most one context at once
        var first = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> server(2).post("/contexts/second?context-init-timeout=60s", ""));
        // recorded (through any server) while its driver starts: the one place is taken
        server(0)
                .await(
                        "/contexts/second",
                        r -> r.status() == 200
                                && r.json().path("state").asText().equals("STARTED"),
                        Duration.ofSeconds(30));
        assertThat(first).as("still starting").isNotDone();
        TestingJobServer.Reply refused = server(2).post("/contexts/third", "");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused).as("a 429 while the first context starts").isNotNull();
        assertThat(refused.header("Retry-After")).contains("5");
        assertThat(refused.json().path("result").asText()).contains("Too many contexts starting at once");
        assertThat(first.get().status()).as(first.get().toString()).isEqualTo(200);
        assertThat(server(0).delete("/contexts/second").status()).isEqualTo(200);
        assertThat(server(1).get("/contexts/third").status()).isEqualTo(404);
    }

    @Test
    @Order(5)
    void aSecondServerOnTheSameH2DatabaseIsRefusedWithAClearMessage() {
        try (JobServerProcess alone = JobServerProcess.start("", "256m")) {
            assertThatThrownBy(
                            () -> JobServerProcess.start("spark.jobserver.rootdir = \"" + alone.root() + "\"", "256m"))
                    .hasMessageContaining("is in use by another running server process")
                    .hasMessageContaining("H2 serves one server only");
        }
    }
}
