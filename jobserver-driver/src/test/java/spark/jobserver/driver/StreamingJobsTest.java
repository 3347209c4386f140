package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.StreamingContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.ContextLike;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.context.StreamingContextFactory;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Rejection;

/**
 * Streaming jobs in a context of the streaming factory, on one real local StreamingContext shared by the
 * class. A streaming context accepts new streams only until it starts, so one job sets up streams and
 * runs until the last test stops the context gracefully.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingJobsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Config SETTINGS = ConfigFactory.parseString("""
            context.name = streaming-test
            streaming { batch_interval = 200, stopGracefully = true, stopSparkContext = true }
            """);

    private static ContextLike context;
    private static ContextClassLoader loader;
    private static JobManager manager;

    @TempDir
    static Path dir;

    private static final BlockingQueue<Message.JobEvent> events = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf(false)
                .setMaster("local[2]")
                .setAppName("StreamingJobsTest")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        SparkContextFactory factory = new StreamingContextFactory();
        context = factory.makeContext(conf, SETTINGS, "streaming-test");
        loader = new ContextClassLoader(StreamingJobsTest.class.getClassLoader());
        ServerFiles noServer =
                new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret");
        JobClassPath classPath = new JobClassPath(
                loader,
                new BinaryCache(dir.resolve("binaries"), noServer, HttpClient::newHttpClient),
                context.sparkContext()::addJar);
        manager = new JobManager(
                factory,
                context,
                "streaming-test",
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
    }

    @AfterAll
    static void stopSpark() throws IOException {
        if (manager != null) {
            manager.close();
        }
        context.stop();
        loader.close();
    }

    private static Message.JobEvent next() throws InterruptedException {
        Message.JobEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(event).as("an event within " + WAIT).isNotNull();
        return event;
    }

    private static Message.JobEvent runToOutcome(String jobId, Class<?> job, String config)
            throws InterruptedException {
        manager.start(new Message.StartJob(jobId, job.getName(), List.of(), config));
        while (true) {
            Message.JobEvent event = next();
            if (!(event instanceof Message.JobStarted)) {
                return event;
            }
        }
    }

    @Test
    @Order(1)
    void theContextIsAStreamingContextWithTheConfiguredBatchInterval() {
        assertThat(context)
                .isInstanceOfSatisfying(
                        StreamingContext.class,
                        ssc -> assertThat(ssc.graph().batchDuration().milliseconds())
                                .isEqualTo(200));
    }

    @Test
    @Order(2)
    void onlyLegacyStreamingJobsAreAccepted() throws Exception {
        for (Class<?> job :
                List.of(JavaJobs.JStreamingInterval.class, TestJobs.Legacy.class, StyleJobs.SessionSql.class)) {
            Message.JobEvent outcome = runToOutcome("wrong-" + job.getSimpleName(), job, "");
            assertThat(outcome)
                    .as(job.getSimpleName())
                    .isInstanceOfSatisfying(
                            Message.JobRejected.class,
                            r -> assertThat(r.reason()).isEqualTo(Rejection.INVALID_JOB_TYPE));
        }
        Message.JobEvent invalid = runToOutcome("invalid", StyleJobs.CountingStream.class, "");
        assertThat(invalid)
                .isInstanceOfSatisfying(
                        Message.JobValidationFailed.class,
                        f -> assertThat(f.error().message()).isEqualTo("One(SparkJobInvalid(No words param))"));
    }

    @Test
    @Order(3)
    void aStreamingJobRunsUntilItsContextStopsGracefully() throws Exception {
        StyleJobs.batches().set(0);
        manager.start(new Message.StartJob(
                "stream", StyleJobs.CountingStream.class.getName(), List.of(), "words = [a, b, a]"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (StyleJobs.batches().get() < 3) {
            assertThat(System.nanoTime()).as("three batches processed").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(manager.runningJobIds()).containsExactly("stream");

        context.stop();
        Message.JobEvent outcome = next();
        assertThat(outcome).isInstanceOfSatisfying(Message.JobFinished.class, f -> {
            assertThat(f.jobId()).isEqualTo("stream");
            assertThat(f.result().asText()).startsWith("stopped after ");
        });
        assertThat(context.sparkContext().isStopped()).isTrue();
    }
}
