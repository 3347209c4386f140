package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.client.ApiRoute;
import spark.jobserver.client.BadRequestException;
import spark.jobserver.client.Binary;
import spark.jobserver.client.BinaryType;
import spark.jobserver.client.ContextInfo;
import spark.jobserver.client.EventQuery;
import spark.jobserver.client.EventStream;
import spark.jobserver.client.JobProgress;
import spark.jobserver.client.JobReport;
import spark.jobserver.client.JobRequest;
import spark.jobserver.client.JobResult;
import spark.jobserver.client.JobServerClient;
import spark.jobserver.client.JobServerConnectionException;
import spark.jobserver.client.KillReply;
import spark.jobserver.client.LogPage;
import spark.jobserver.client.NamedObject;
import spark.jobserver.client.NotFoundException;
import spark.jobserver.client.ServerEvent;
import spark.jobserver.client.ValidationFailedException;

/**
 * The Java client against a real server and real drivers: every call, its records read from the server's
 * JSON, the server's errors as typed exceptions, and that the client's routes are the server's (its
 * {@code /openapi.json}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientIT {
    private static final String CTX = "client-ctx";
    private static final String WORD_COUNT = "spark.jobserver.WordCountExample";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Browser pages, not an API: the client has no call for them. */
    private static final Set<String> NOT_CALLED = Set.of("GET /swagger", "GET /swagger/{file}");

    private static TestingJobServer server;
    private static JobServerClient client;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        client = JobServerClient.builder(server.baseUrl()).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void theClientCallsEveryRouteOfTheSpecAndNoOther() {
        JsonNode spec = client.openApi();
        Set<String> inSpec = new TreeSet<>();
        spec.get("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
                    if (Set.of("get", "post", "put", "delete", "patch", "head").contains(method)) {
                        inSpec.add(method.toUpperCase() + " " + path.getKey());
                    }
                }));
        Set<String> called = new TreeSet<>();
        for (Method method : JobServerClient.class.getMethods()) {
            ApiRoute route = method.getAnnotation(ApiRoute.class);
            if (route != null) {
                called.add(route.method() + " " + route.path());
            }
        }

        assertThat(inSpec).contains("GET /jobs/{id}/progress", "GET /events").containsAll(NOT_CALLED);
        assertThat(called)
                .as("routes the client calls that the server does not have")
                .isSubsetOf(inSpec);
        Set<String> missing = new TreeSet<>(inSpec);
        missing.removeAll(called);
        assertThat(missing)
                .as("routes of the server the client has no call for")
                .isEqualTo(NOT_CALLED);
    }

    @Test
    @Order(2)
    void healthMetricsAndStatus() {
        assertThat(client.isHealthy()).isTrue();
        assertThat(client.metrics()).contains("# TYPE");
        assertThat(client.metricsJson().isObject()).isTrue();
        assertThatThrownBy(() -> client.statusPage())
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    @Order(3)
    void binaries() throws Exception {
        client.uploadBinary("test", TestingJobServer.examplesJar());
        assertThat(client.listBinaries())
                .filteredOn(b -> b.appName().equals("test"))
                .singleElement()
                .satisfies(b -> assertThat(b.binaryType()).isEqualTo("Jar"));
        Binary test = client.getBinary("test");
        assertThat(test.appName()).isEqualTo("test");
        assertThat(test.binaryType()).isEqualTo("Jar");
        assertThat(test.uploadTime()).endsWith("Z");

        Path wheel = TestingJobServer.pythonExamples(".whl");
        client.uploadBinary("py", wheel);
        assertThat(client.getBinary("py").binaryType()).isEqualTo("Wheel");
        client.uploadBinary("py", TestingJobServer.examplesJar(), BinaryType.EGG);
        assertThat(client.getBinary("py").binaryType()).isEqualTo("Egg");
        client.deleteBinary("py");
        assertThat(client.listBinaries()).extracting(Binary::appName).doesNotContain("py");

        assertThatThrownBy(() -> client.getBinary("py")).isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.serverMessage()).isEqualTo("Can't find binary with name py");
            assertThat(e.status()).isEqualTo("ERROR");
            assertThat(e.body().get("result").asText()).isEqualTo("Can't find binary with name py");
        });
        Path notAZip = Files.createTempFile("not-a-zip", ".jar");
        Files.writeString(notAZip, "hello");
        assertThatThrownBy(() -> client.uploadBinary("broken", notAZip))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("Binary is not of the right format");
        assertThatThrownBy(() -> client.uploadBinary("x", Path.of("no-such-file.jar")))
                .hasMessageContaining("no-such-file.jar");
        assertThatThrownBy(() -> client.uploadBinary("x", notAZip.resolveSibling("words.txt")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Order(4)
    void contexts() {
        assertThat(client.createContext(CTX, Map.of("num-cpu-cores", "2"))).isEqualTo("Context initialized");
        assertThat(client.listContexts()).contains(CTX);
        ContextInfo context = client.getContext(CTX);
        assertThat(context.name()).isEqualTo(CTX);
        assertThat(context.state()).isEqualTo("RUNNING");
        assertThat(context.endTime()).isEqualTo("Empty");

        assertThatThrownBy(() -> client.createContext("1bad"))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("context name must start with letters");
        assertThatThrownBy(() -> client.createContext(CTX))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("context " + CTX + " exists"));
        assertThatThrownBy(() -> client.getContext("nope"))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("can't find context with name nope"));
        assertThatThrownBy(() -> client.deleteContext("nope"))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("context nope not found"));
    }

    @Test
    @Order(5)
    void aSyncJobAnswersItsResult() {
        JobResult result = client.submitJobSync(
                JobRequest.of("test", WORD_COUNT).context(CTX).config("input.string = a b c a b see"), WAIT);
        assertThat(result.isFailed()).isFalse();
        assertThat(result.jobId()).isNotBlank();
        assertThat(result.result().toString()).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");

        JobProgress progress = client.getJobProgress(result.jobId());
        assertThat(progress.jobId()).isEqualTo(result.jobId());
        assertThat(progress.status()).isEqualTo("FINISHED");
        assertThat(progress.sparkJobs())
                .isNotEmpty()
                .allSatisfy(j -> assertThat(j.status()).isEqualTo("SUCCEEDED"));
        assertThat(progress.completedTasks()).isEqualTo(progress.numTasks()).isPositive();
    }

    @Test
    @Order(6)
    void aFailedSyncJobIsAResultWithItsError() {
        JobResult result = client.submitJobSync(
                JobRequest.of("test", "spark.jobserver.MyErrorJob").context(CTX), WAIT);
        assertThat(result.isFailed()).isTrue();
        assertThat(result.error())
                .hasValueSatisfying(e -> assertThat(e.errorClass()).isNotBlank());
    }

    @Test
    @Order(7)
    void jobErrorsAreTypedExceptionsWithTheServersMessage() {
        assertThatThrownBy(
                        () -> client.submitJob(JobRequest.of("nope", WORD_COUNT).context(CTX)))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.serverMessage()).isEqualTo("appName nope not found");
                });
        assertThatThrownBy(
                        () -> client.submitJob(JobRequest.of("test", WORD_COUNT).context("nope")))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("context nope not found"));
        assertThatThrownBy(
                        () -> client.submitJob(JobRequest.of("test", WORD_COUNT).context(CTX)))
                .isInstanceOfSatisfying(ValidationFailedException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.status()).isEqualTo("VALIDATION FAILED");
                    assertThat(e.serverMessage()).contains("No input.string config param");
                });
        assertThatThrownBy(() -> client.submitJob(
                        JobRequest.of("test", WORD_COUNT).context(CTX).config("a = {")))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("Cannot parse config");
        assertThatThrownBy(() -> client.getJob("no-such-job"))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("No such job ID no-such-job"));
    }

    @Test
    @Order(8)
    void anAsyncJobItsStatusResultConfigLogsAndEvents() throws Exception {
        try (EventStream events = client.events(EventQuery.all().context(CTX))) {
            JobReport started = client.submitJob(
                    JobRequest.of("test", WORD_COUNT).context(CTX).config("input.string = x y x"));
            assertThat(started.status()).isEqualTo("STARTED");
            assertThat(started.context()).isEqualTo(CTX);

            JobReport done = client.awaitJob(started.jobId(), Duration.ofMillis(200), null);
            assertThat(done.status()).isEqualTo("FINISHED");
            assertThat(done.result().toString()).isEqualTo("{\"x\":2,\"y\":1}");
            assertThat(client.getJobConfig(started.jobId()).at("/input/string").asText())
                    .isEqualTo("x y x");
            assertThat(client.listJobs("FINISHED", 100))
                    .extracting(JobReport::jobId)
                    .contains(started.jobId());
            assertThat(client.listJobs()).extracting(JobReport::jobId).contains(started.jobId());

            // the job's own events, from the stream opened before it started
            List<String> seen = CompletableFuture.supplyAsync(() -> {
                        List<String> statuses = new ArrayList<>();
                        while (events.hasNext()) {
                            ServerEvent event = events.next();
                            if (event.type().equals("job")
                                    && event.as(JobReport.class).jobId().equals(started.jobId())) {
                                statuses.add(event.as(JobReport.class).status());
                                if (event.as(JobReport.class).isDone()) {
                                    break;
                                }
                            }
                        }
                        return statuses;
                    })
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(seen).containsExactly("RUNNING", "FINISHED");
            assertThat(events.lastEventId()).isNotBlank();
        }
    }

    @Test
    @Order(9)
    void logs() {
        String marker = "m" + UUID.randomUUID().toString().substring(0, 8);
        JobResult result = client.submitJobSync(
                JobRequest.of("test", "spark.jobserver.JavaLoggingJob")
                        .context(CTX)
                        .config("marker = " + marker + "\nlines = 3"),
                WAIT);
        assertThat(result.isFailed()).as(String.valueOf(result)).isFalse();

        LogPage page = client.jobLogs(result.jobId(), null, null);
        assertThat(page.text()).contains("logged " + marker + " 1", "printed " + marker + " 3");
        assertThat(page.nextOffset()).isPositive();
        try (Stream<String> followed = client.followJobLogs(result.jobId(), null)) {
            // the job has ended: the followed log ends after its lines
            assertThat(followed.collect(Collectors.joining("\n"))).contains("logged " + marker + " 3");
        }

        LogPage first = client.contextLogs(CTX, 0L, 4096);
        assertThat(first.text()).isNotEmpty();
        assertThat(first.logSize()).isGreaterThanOrEqualTo(first.nextOffset());
        LogPage next = client.contextLogs(CTX, first.nextOffset(), 4096);
        assertThat(next.nextOffset()).isGreaterThan(first.nextOffset());
    }

    @Test
    @Order(10)
    void aRunningJobIsKilled() throws Exception {
        Path gate = server.root().resolve("gate-" + System.nanoTime());
        JobReport started = client.submitJob(JobRequest.of("test", "spark.jobserver.WaitingShuffleJob")
                .context(CTX)
                .config("gate = \"" + gate + "\""));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!client.getJob(started.jobId()).status().equals("RUNNING")) {
            assertThat(System.nanoTime()).as("the job runs within " + WAIT).isLessThan(deadline);
            Thread.sleep(100);
        }

        KillReply killed = client.killJob(started.jobId());
        assertThat(killed.status()).isEqualTo("KILLED");
        JobReport after = client.awaitJob(started.jobId(), Duration.ofMillis(200), null);
        assertThat(after.status()).isEqualTo("KILLED");
        assertThat(after.error())
                .hasValueSatisfying(e -> assertThat(e.message()).contains("killed"));
        assertThatThrownBy(() -> client.killJob(started.jobId()))
                .isInstanceOfSatisfying(
                        NotFoundException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("No running job with ID " + started.jobId()));
    }

    @Test
    @Order(11)
    void namedObjects() {
        JobResult result = client.submitJobSync(
                JobRequest.of("test", "spark.jobserver.CacheRddByNameJob").context(CTX), WAIT);
        assertThat(result.isFailed()).as(String.valueOf(result)).isFalse();
        assertThat(client.listNamedObjects(CTX))
                .filteredOn(o -> o.name().equals("CacheRddByNameJob"))
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.kind()).isEqualTo("RDD");
                    assertThat(o.partitions()).isPositive();
                });
        assertThat(client.listNamedObjects(CTX)).extracting(NamedObject::name).doesNotHaveDuplicates();
    }

    @Test
    @Order(12)
    void theSameIdempotencyKeyTwiceStartsOneJob() {
        String key = UUID.randomUUID().toString();
        JobRequest request = JobRequest.of("test", WORD_COUNT)
                .context(CTX)
                .config("input.string = once")
                .idempotencyKey(key);
        JobReport first = client.submitJob(request);
        JobReport again = client.submitJob(request);
        assertThat(again.jobId()).isEqualTo(first.jobId());

        // a client whose keys repeat (as after a lost answer) gets the first answer too
        JobServerClient sameKeys = JobServerClient.builder(server.baseUrl())
                .idempotencyKeys(() -> key)
                .build();
        assertThat(sameKeys.submitJob(
                                JobRequest.of("test", WORD_COUNT).context(CTX).config("input.string = once"))
                        .jobId())
                .isEqualTo(first.jobId());
        client.awaitJob(first.jobId(), Duration.ofMillis(200), null);
        assertThat(client.listJobs(null, 1000))
                .filteredOn(j -> j.classPath().equals(WORD_COUNT))
                .filteredOn(j -> client.getJobConfig(j.jobId())
                        .at("/input/string")
                        .asText()
                        .equals("once"))
                .hasSize(1);
    }

    @Test
    @Order(13)
    void dataFiles() throws Exception {
        Path words = Files.createTempFile("words", ".txt");
        Files.writeString(words, "a b c\n");
        String stored = client.uploadDataFile("words.txt", words);
        assertThat(stored).contains("words.txt-").endsWith(".dat");
        assertThat(Files.readString(Path.of(stored))).isEqualTo("a b c\n");
        assertThat(client.listDataFiles()).contains(stored);
        client.deleteDataFile(stored);
        assertThat(client.listDataFiles()).doesNotContain(stored);
        assertThatThrownBy(() -> client.deleteDataFile(stored))
                .isInstanceOfSatisfying(
                        BadRequestException.class,
                        e -> assertThat(e.serverMessage()).isEqualTo("Unable to delete data file '" + stored + "'."));
        client.uploadDataFile("other", words);
        assertThat(client.resetDataFiles(true)).isEqualTo("Data reset");
        assertThat(client.listDataFiles()).isEmpty();
    }

    @Test
    @Order(14)
    void contextsAreStoppedAndReset() {
        assertThat(client.deleteContext(CTX)).isEqualTo("Context stopped");
        assertThat(client.listContexts()).doesNotContain(CTX);
        assertThat(client.getContext(CTX).state()).isEqualTo("FINISHED");
        assertThat(client.resetContexts(true)).isEqualTo("Context reset");
    }

    @Test
    @Order(15)
    void aServerThatIsNotThereIsAConnectionFailure() {
        JobServerClient nowhere = JobServerClient.builder("http://127.0.0.1:1")
                .retryPolicy(spark.jobserver.client.RetryPolicy.none())
                .build();
        assertThatThrownBy(nowhere::listContexts)
                .isInstanceOf(JobServerConnectionException.class)
                .hasMessageContaining("http://127.0.0.1:1");
    }
}
