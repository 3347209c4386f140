package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.common.NamedThreads;
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
        return config(factory, "", "");
    }

    /**
     * @param driverExtra more HOCON for the {@code driver} block
     * @param settingsExtra more context settings
     */
    private DriverConfig config(String factory, String driverExtra, String settingsExtra) {
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
                  %s
                }
                context-settings {
                  context.name = driver-test
                  is-adhoc = false
                  context-factory = "%s"
                  %s
                }
                job-config-fallback { spark.jobserver.flag = on }
                """.formatted(
                        CONTEXT_ID,
                        server.wsUri(),
                        dir.resolve("binaries"),
                        dir.resolve("data"),
                        driverExtra,
                        factory,
                        settingsExtra)));
    }

    private static CompletableFuture<Integer> runInBackground(Driver driver) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        NamedThreads.daemon("driver-test-main")
                .newThread(() -> {
                    try {
                        exit.complete(driver.run());
                    } catch (Throwable t) {
                        exit.completeExceptionally(t);
                    }
                })
                .start();
        return exit;
    }

    /** Waits until every thread of the driver's own (named {@code jobserver-...}) started since {@code before} ended. */
    private static void awaitNoThreadsLeftBehind(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            List<String> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t ->
                            !before.contains(t) && t.isAlive() && t.getName().startsWith("jobserver-"))
                    .map(Thread::getName)
                    .sorted()
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            assertThat(System.nanoTime()).as("threads left behind: " + left).isLessThan(deadline);
            Thread.sleep(20);
        }
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
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.JavaSparkContextFactory"),
                SECRET,
                DriverTest::localSpark,
                Clock.systemUTC()));

        Message ready = next();
        assertThat(ready).isInstanceOfSatisfying(Message.ContextReady.class, r -> {
            assertThat(r.applicationId()).startsWith("local-");
            assertThat(r.uiUrl()).isNull();
        });
        assertThat(server.next(WAIT)).isInstanceOf(Message.Heartbeat.class);

        // A Java job in a JavaSparkContextFactory context.
        server.send(new Message.StartJob("j1", JavaJobs.Java.class.getName(), List.of(), "{}"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.JobFinished.class,
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
        Message afterGreeting = next();
        if (afterGreeting instanceof Message.JobStarted again) {
            // its acknowledgement was lost with the connection: sent again, and applied once by the server
            assertThat(again.jobId()).isEqualTo("j2");
            afterGreeting = next();
        }
        assertThat(afterGreeting).isInstanceOfSatisfying(Message.JobFinished.class, f -> {
            assertThat(f.jobId()).isEqualTo("j2");
            assertThat(f.result().asLong()).isEqualTo(1500);
        });
        assertThat(server.acceptedConnections()).isEqualTo(2);

        // Stopping kills what runs, tells the server, and ends the process with 0.
        server.send(new Message.StartJob("j3", TestJobs.Sleep.class.getName(), List.of(), "sleep.time.millis = 60000"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        server.send(new Message.StopContext());
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.JobKilled.class, k -> assertThat(k.jobId()).isEqualTo("j3"));
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_STOPPED);
        assertThat(server.isConnected()).isFalse();
        awaitNoThreadsLeftBehind(before);
    }

    @Test
    void aContextThatCannotBeCreatedIsReportedAndEndsTheProcess() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(
                new Driver(config("no.such.Factory"), SECRET, DriverTest::localSpark, Clock.systemUTC()));

        assertThat(next()).isInstanceOfSatisfying(Message.ContextInitFailed.class, f -> {
            assertThat(f.error().message()).isEqualTo("context-factory no.such.Factory not found");
            assertThat(f.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
        });
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_CONTEXT_FAILED);
    }

    @Test
    void aContextFactoryOfAnotherKindIsRefusedClearly() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(
                new Driver(config("java.lang.String"), SECRET, DriverTest::localSpark, Clock.systemUTC()));

        assertThat(next()).isInstanceOfSatisfying(Message.ContextInitFailed.class, f -> {
            assertThat(f.error().message())
                    .isEqualTo("context-factory java.lang.String does not implement"
                            + " spark.jobserver.context.SparkContextFactory");
            assertThat(f.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
        });
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_CONTEXT_FAILED);
    }

    @Test
    void aDriverTheServerRefusesExitsWithoutCreatingAContext() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.DefaultSparkContextFactory"),
                "wrong secret",
                DriverTest::localSpark,
                Clock.systemUTC()));
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_SERVER_LOST);
        assertThat(server.acceptedConnections()).isZero();
        awaitNoThreadsLeftBehind(before);
    }

    @Test
    void aCustomFactoryComesFromTheContextsOwnBinaryAndAFailedJobStopsTheContextWhenAsked() throws Exception {
        Path jar = DynamicJar.build(
                dir,
                "factory",
                Map.of(
                        "custom.MyFactory", """
                        package custom;
                        import com.typesafe.config.Config;
                        import org.apache.spark.SparkConf;
                        import org.apache.spark.SparkContext;
                        import spark.jobserver.ContextLike;
                        import spark.jobserver.context.ScalaContextFactory;
                        public class MyFactory implements ScalaContextFactory {
                            @Override public ContextLike makeContext(SparkConf conf, Config config, String name) {
                                SparkContext sc = new SparkContext(conf.set("custom.factory", name));
                                return new ContextLike() {
                                    @Override public SparkContext sparkContext() { return sc; }
                                    @Override public void stop() { sc.stop(); }
                                };
                            }
                            @Override public boolean isValidJob(spark.jobserver.api.SparkJobBase job) {
                                return job instanceof spark.jobserver.SparkJob;
                            }
                        }
                        """,
                        "custom.FactsJob", """
                        package custom;
                        import com.typesafe.config.Config;
                        import org.apache.spark.SparkContext;
                        import org.apache.spark.api.java.JavaSparkContext;
                        import spark.jobserver.JavaSparkJob;
                        public class FactsJob extends JavaSparkJob {
                            @Override public Object runJob(JavaSparkContext jsc, Config config) {
                                SparkContext sc = jsc.sc();
                                return java.util.List.of(sc.getConf().get("custom.factory"),
                                        scala.jdk.javaapi.CollectionConverters.asJava(sc.listJars()));
                            }
                        }
                        """));
        String binaries = "context-binaries = [{name = \"factory.jar\", uri = \"" + jar.toUri() + "\"}]";
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("custom.MyFactory", binaries, "stop-context-on-job-error = true"),
                SECRET,
                DriverTest::localSpark,
                Clock.systemUTC()));
        assertThat(next()).isInstanceOf(Message.ContextReady.class);

        // A job class from the same binary needs no binaries of its own; Spark has the jar for executors.
        server.send(new Message.StartJob("facts", "custom.FactsJob", List.of(), ""));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next()).isInstanceOfSatisfying(Message.JobFinished.class, f -> {
            assertThat(f.result().get(0).asText()).isEqualTo("driver-test");
            assertThat(f.result().get(1).toString()).contains("factory.jar");
        });

        server.send(new Message.StartJob("boom", TestJobs.Failing.class.getName(), List.of(), ""));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.JobFailed.class, f -> assertThat(f.jobId()).isEqualTo("boom"));
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.ContextStopping.class,
                        s -> assertThat(s.reason()).isEqualTo("job boom failed and stop-context-on-job-error is on"));
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_STOPPED);
    }

    @Test
    void aContextBinaryThatCannotBeHadFailsTheContextNamingIt() throws Exception {
        String binaries = "context-binaries = [{name = \"deps\", sha256 = \"" + "ab".repeat(32) + "\"}, "
                + "{name = \"missing.jar\", uri = \"file:" + dir.resolve("missing.jar") + "\"}]";
        // The uploaded one is fetched from the server's HTTP address, where nothing listens.
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.DefaultSparkContextFactory", binaries, ""),
                SECRET,
                DriverTest::localSpark,
                Clock.systemUTC()));
        assertThat(next()).isInstanceOfSatisfying(Message.ContextInitFailed.class, f -> {
            assertThat(f.error().message()).startsWith("Failed to load binary 'deps' of the context: ");
            assertThat(f.error().errorClass()).isEqualTo("java.io.IOException");
        });
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_CONTEXT_FAILED);
    }

    @Test
    void aStreamingContextStopsAfterAFailedJobByDefault() throws Exception {
        CompletableFuture<Integer> exit = runInBackground(new Driver(
                config("spark.jobserver.context.JavaStreamingContextFactory", "", "streaming.batch_interval = 200"),
                SECRET,
                DriverTest::localSpark,
                Clock.systemUTC()));
        assertThat(next()).isInstanceOf(Message.ContextReady.class);

        server.send(new Message.StartJob("interval", JavaJobs.JStreamingInterval.class.getName(), List.of(), ""));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.JobFinished.class,
                        f -> assertThat(f.result().asLong()).isEqualTo(200));

        server.send(new Message.StartJob("bad-batch", JavaJobs.JFailingStream.class.getName(), List.of(), ""));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(next())
                .isInstanceOfSatisfying(
                        Message.JobFailed.class,
                        f -> assertThat(f.error().stack()).contains("ArithmeticException"));
        assertThat(next()).isInstanceOf(Message.ContextStopping.class);
        assertThat(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Driver.EXIT_STOPPED);
    }

    @Test
    void mainRefusesToStartWithoutSecretOrConfig() {
        assertThat(DriverMain.run(new String[0], java.util.Map.of())).isEqualTo(Driver.EXIT_USAGE);
        assertThat(DriverMain.run(new String[] {"driver.conf"}, java.util.Map.of()))
                .isEqualTo(Driver.EXIT_USAGE);
        assertThat(DriverMain.run(
                        new String[] {dir.resolve("missing.conf").toString()},
                        java.util.Map.of(spark.jobserver.protocol.DriverLaunch.SECRET_ENV, "s")))
                .isEqualTo(Driver.EXIT_USAGE);
    }
}
