package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.ContextLike;
import spark.jobserver.context.JavaSessionContextFactory;
import spark.jobserver.context.SessionContextFactory;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.context.SparkSessionContextLikeWrapper;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Rejection;

/**
 * Session jobs in contexts of the two session factories, on one real local SparkSession shared by the
 * class (both factories' contexts wrap the same session). The last test stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionJobsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Config SETTINGS = ConfigFactory.parseString("""
            context.name = session-test
            hadoop { jobserver.test.setting = from-the-context }
            """);

    private static final SparkContextFactory SCALA_FACTORY = new SessionContextFactory();
    private static final SparkContextFactory JAVA_FACTORY = new JavaSessionContextFactory();

    private static ContextLike scalaStyle;
    private static ContextLike javaStyle;
    private static ContextClassLoader loader;
    private static JobClassPath classPath;

    @TempDir
    static Path dir;

    private final BlockingQueue<Message.JobEvent> events = new LinkedBlockingQueue<>();
    private final List<JobManager> managers = new ArrayList<>();

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf(false)
                .setMaster("local[1]")
                .setAppName("SessionJobsTest")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.sql.warehouse.dir", dir.resolve("warehouse").toString());
        scalaStyle = SCALA_FACTORY.makeContext(conf, SETTINGS, "session-test");
        javaStyle = JAVA_FACTORY.makeContext(conf, SETTINGS, "session-test");
        loader = new ContextClassLoader(SessionJobsTest.class.getClassLoader());
        ServerFiles noServer =
                new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret");
        classPath = new JobClassPath(
                loader,
                new BinaryCache(dir.resolve("binaries"), noServer, HttpClient::newHttpClient),
                scalaStyle.sparkContext()::addJar);
    }

    @AfterAll
    static void stopSpark() throws IOException {
        if (scalaStyle != null) {
            scalaStyle.stop();
        }
        loader.close();
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(JobManager::close);
    }

    private JobManager manager(ContextLike context) {
        return manager(context == javaStyle ? JAVA_FACTORY : SCALA_FACTORY, context);
    }

    private JobManager manager(SparkContextFactory factory, ContextLike context) {
        ServerFiles noServer =
                new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret");
        JobManager manager = new JobManager(
                factory,
                context,
                "session-test",
                2,
                SETTINGS,
                ConfigFactory.empty(),
                classPath,
                new DriverNamedObjects(Duration.ofSeconds(5), java.time.Clock.systemUTC()),
                new DataFiles(dir.resolve("data"), noServer),
                events::add,
                ProgressTracking.NONE,
                (jobId, stream) -> {
                    throw new IOException("no server");
                },
                jobId -> {},
                Clock.systemUTC());
        managers.add(manager);
        return manager;
    }

    private List<Message.JobEvent> run(JobManager manager, Class<?> job, String config) throws InterruptedException {
        manager.start(new Message.StartJob("job-" + System.nanoTime(), job.getName(), List.of(), config));
        List<Message.JobEvent> seen = new ArrayList<>();
        while (true) {
            Message.JobEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("an event within " + WAIT).isNotNull();
            seen.add(event);
            if (!(event instanceof Message.JobStarted)) {
                return seen;
            }
        }
    }

    private static JsonNode result(List<Message.JobEvent> events) {
        assertThat(events).as(events.toString()).hasSize(2);
        assertThat(events.get(1)).as(events.toString()).isInstanceOf(Message.JobFinished.class);
        return ((Message.JobFinished) events.get(1)).result();
    }

    private static Message.JobRejected rejection(List<Message.JobEvent> events) {
        assertThat(events).singleElement().isInstanceOf(Message.JobRejected.class);
        return (Message.JobRejected) events.get(0);
    }

    @Test
    @Order(1)
    void sessionJobsGetTheSessionAndRowsComeBackAsTheirText() throws Exception {
        assertThat(scalaStyle)
                .isInstanceOfSatisfying(
                        SparkSessionContextLikeWrapper.class,
                        w -> assertThat(w.spark()).isInstanceOf(SparkSession.class));
        JsonNode rows =
                result(run(manager(scalaStyle), StyleJobs.SessionSql.class, "sql = \"select 40 + 2 as answer\""));
        assertThat(rows.toString()).isEqualTo("[\"[42]\"]");
    }

    @Test
    @Order(2)
    void javaSessionJobsRunInTheJavaFactorysContexts() throws Exception {
        JsonNode rows = result(run(manager(javaStyle), JavaJobs.JSessionSql.class, "sql = \"select 'a', 1\""));
        assertThat(rows.toString()).isEqualTo("[\"[a,1]\"]");
        var invalid = run(manager(javaStyle), JavaJobs.JSessionSql.class, "");
        assertThat(invalid)
                .singleElement()
                .isInstanceOfSatisfying(
                        Message.JobValidationFailed.class,
                        f -> assertThat(f.error().message()).isEqualTo("No sql param"));
    }

    @Test
    @Order(3)
    void eachSessionFactoryRefusesEveryOtherStyle() throws Exception {
        JobManager scala = manager(scalaStyle);
        for (Class<?> job : List.of(
                JavaJobs.JSessionSql.class,
                TestJobs.Legacy.class,
                TestJobs.Typed.class,
                JavaJobs.Java.class,
                StyleJobs.CountingStream.class)) {
            var rejected = rejection(run(scala, job, "sql = \"select 1\""));
            assertThat(rejected.reason()).as(job.getSimpleName()).isEqualTo(Rejection.INVALID_JOB_TYPE);
            assertThat(rejected.error().message()).isEqualTo("Invalid job type for this context");
        }
        JobManager java = manager(javaStyle);
        for (Class<?> job :
                List.of(StyleJobs.SessionSql.class, TestJobs.Legacy.class, JavaJobs.JStreamingInterval.class)) {
            assertThat(rejection(run(java, job, "sql = \"select 1\"")).reason())
                    .as(job.getSimpleName())
                    .isEqualTo(Rejection.INVALID_JOB_TYPE);
        }
    }

    @Test
    @Order(4)
    void hadoopSettingsReachTheSessionAndWithoutHiveClassesTheCatalogIsInMemory() throws Exception {
        JsonNode facts = result(run(manager(scalaStyle), StyleJobs.SessionFacts.class, ""));
        assertThat(facts.get("hadoop").asText()).isEqualTo("from-the-context");
        assertThat(facts.get("catalog").asText()).isEqualTo("in-memory");
    }

    @Test
    @Order(5)
    void jobsOfACustomFactorysStyleGetTheSessionOfASessionContext() throws Exception {
        JsonNode received = result(run(manager(new AdmitAllFactory(), scalaStyle), TestJobs.OnContextLike.class, ""));
        // Spark 4's session class is org.apache.spark.sql.classic.SparkSession; not the context's wrapper.
        assertThat(received.get(0).asText()).endsWith(".SparkSession");
        assertThat(received.get(1).asBoolean()).isFalse();
        assertThat(received.get(2).asBoolean()).isTrue();
    }

    @Test
    @Order(6)
    void namedDataFramesArePersistedAndComputedOnce() throws Exception {
        JobManager manager = manager(scalaStyle);
        JsonNode first = result(run(manager, StyleJobs.StoreDataFrame.class, ""));
        assertThat(first.toString()).isEqualTo("[7,\"Disk Memory Deserialized 1x Replicated\"]");
        JsonNode second = result(run(manager, StyleJobs.StoreDataFrame.class, ""));
        assertThat(second).isEqualTo(first);
    }

    @Test
    @Order(7)
    void stoppingTheContextStopsItsStreamingQueries() throws Exception {
        JsonNode started = result(run(manager(scalaStyle), StyleJobs.StartStructuredQuery.class, ""));
        assertThat(started.asText()).isEqualTo("true");
        assertThat(StyleJobs.query().get().isActive()).isTrue();

        scalaStyle.stop();
        assertThat(StyleJobs.query().get().isActive()).isFalse();
        assertThat(scalaStyle.sparkContext().isStopped()).isTrue();
    }
}
