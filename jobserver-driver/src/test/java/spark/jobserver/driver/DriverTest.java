package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.Message;

/** The whole driver against a stand-in server: what the real server sees from a context's JVM. */
class DriverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONTEXT_ID = "ctx-id-1";
    private static final String SECRET = DriverAuth.randomToken();

    @TempDir
    Path dir;

    private FakeServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = new FakeServer(CONTEXT_ID, SECRET);
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    private DriverConfig config(String factory) {
        return DriverConfig.from(ConfigFactory.parseString("""
                driver {
                  context-id = "%s"
                  context-name = "driver-test"
                  server-ws-url = "%s"
                  server-http-url = "http://127.0.0.1:9"
                  max-jobs = 2
                  heartbeat-interval = 200ms
                  reconnect-grace-period = 1m
                  binary-cache-dir = "%s"
                  data-cache-dir = "%s"
                }
                context-settings {
                  context.name = driver-test
                  is-adhoc = false
                  context-factory = "%s"
                }
                job-config-fallback { spark.jobserver.flag = on }
                """.formatted(CONTEXT_ID, server.wsUri(), dir.resolve("binaries"), dir.resolve("data"), factory)));
    }

    private static CompletableFuture<Integer> runInBackground(Driver driver) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                exit.complete(driver.run());
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        }, "driver-test-main");
        thread.setDaemon(true);
        thread.start();
        return exit;
    }

    private static SparkConf localSpark() {
        return new SparkConf(false)
                .setMaster("local[1]")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
    }

    private Message next() throws InterruptedException {
        Message message = server.nextNonHeartbeat(WAIT);
        assertThat(message).as("a message within " + WAIT).isNotNull();
        return message;
    }

    @Test
    void runsJobsOutlivesAServerRestartAndStopsOnRequest() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.JavaSparkContextFactory"), SECRET, DriverTest::localSpark, Clock.systemUTC()));

        Message ready = next();
        assertThat(ready).isInstanceOfSatisfying(Message.ContextReady.class, r -> {
            assertThat(r.applicationId()).startsWith("local-");
            assertThat(r.uiUrl()).isNull();
        });
        assertThat(server.next(WAIT)).isInstanceOf(Message.Heartbeat.class);

        // A Java job in a JavaSparkContextFactory context.
        server.send(new Message.StartJob("j1", TestJobs.Java.class.getName(), List.of(), "{}"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next()).isInstanceOfSatisfying(Message.JobFinished.class,
                f -> assertThat(f.result().asText()).isEqualTo("Hi! verified=yes master=local[1]"));

        // The server goes away while a job runs; the job's end is told once the server is back.
        server.send(new Message.StartJob("j2", TestJobs.Sleep.class.getName(), List.of(), "sleep.time.millis = 1500"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        server.setDown(true);
        server.dropConnection();
        // Downtime, not a wait for a condition: the job most likely ends while the server is away, and the
        // assertions below hold on either side of the reconnection.
        Thread.sleep(2000);
        server.setDown(false);
        assertThat(next()).isInstanceOf(Message.ContextReady.class);
        assertThat(next()).isInstanceOfSatisfying(Message.JobFinished.class, f -> {
            assertThat(f.jobId()).isEqualTo("j2");
            assertThat(f.result().asLong()).isEqualTo(1500);
        });
        assertThat(server.acceptedConnections()).isEqualTo(2);

        // Stopping kills what runs, tells the server, and ends the process with 0.
        server.send(new Message.StartJob("j3", TestJobs.Sleep.class.getName(), List.of(), "sleep.time.millis = 60000"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        server.send(new Message.StopContext());
        assertThat(next()).isInstanceOfSatisfying(Message.JobKilled.class, k -> assertThat(k.jobId()).isEqualTo("j3"));
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_STOPPED);
        assertThat(server.isConnected()).isFalse();
    }

    @Test
    void aContextThatCannotBeCreatedIsReportedAndEndsTheProcess() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("no.such.Factory"), SECRET, DriverTest::localSpark, Clock.systemUTC()));

        assertThat(next()).isInstanceOfSatisfying(Message.ContextInitFailed.class, f -> {
            assertThat(f.error().message()).isEqualTo("context-factory no.such.Factory not found");
            assertThat(f.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
        });
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_CONTEXT_FAILED);
    }

    @Test
    void aDriverTheServerRefusesExitsWithoutCreatingAContext() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.DefaultSparkContextFactory"), "wrong secret", DriverTest::localSpark,
                Clock.systemUTC()));
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_SERVER_LOST);
        assertThat(server.acceptedConnections()).isZero();
    }

    @Test
    void mainRefusesToStartWithoutSecretOrConfig() {
        assertThat(DriverMain.run(new String[0], java.util.Map.of())).isEqualTo(Driver.EXIT_USAGE);
        assertThat(DriverMain.run(new String[] {"driver.conf"}, java.util.Map.of())).isEqualTo(Driver.EXIT_USAGE);
        assertThat(DriverMain.run(new String[] {dir.resolve("missing.conf").toString()},
                java.util.Map.of("JOBSERVER_CONTEXT_SECRET", "s"))).isEqualTo(Driver.EXIT_USAGE);
    }
}
