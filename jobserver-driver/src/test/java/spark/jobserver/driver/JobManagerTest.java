package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;
import spark.jobserver.ContextLike;
import spark.jobserver.context.DefaultSparkContextFactory;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Rejection;

/**
 * Jobs of every style through the job manager, on one real local Spark context shared by the class.
 * The events are what the server would receive.
 */
class JobManagerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CONTEXT_NAME = "test-context";

    private static final String SECRET = "secret";

    private static final SparkContextFactory FACTORY = new DefaultSparkContextFactory();

    private static ContextLike context;
    private static ContextClassLoader loader;
    private static JobClassPath classPath;
    private static ResultSink sink;

    @TempDir
    static Path dir;

    private final BlockingQueue<Message.JobEvent> events = new LinkedBlockingQueue<>();
    private final List<JobManager> managers = new ArrayList<>();
    private final DriverNamedObjects namedObjects =
            new DriverNamedObjects(Duration.ofSeconds(5), java.time.Clock.systemUTC());
    /** The jobs the manager reported as failed through its after-failure hook. */
    private final List<String> failedJobs = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSpark() throws IOException {
        sink = new ResultSink("ctx", SECRET);
        SparkConf conf = new SparkConf(false)
                .setMaster("local[1]")
                .setAppName("JobManagerTest")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        context = FACTORY.makeContext(conf, ConfigFactory.empty(), CONTEXT_NAME);
        loader = new ContextClassLoader(JobManagerTest.class.getClassLoader());
        // Uploaded binaries are covered by BinaryCacheTest; here the server is never asked.
        ServerFiles noServer =
                new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret");
        classPath = new JobClassPath(
                loader,
                new BinaryCache(dir.resolve("binaries"), noServer, HttpClient::newHttpClient),
                context.sparkContext()::addJar);
    }

    @AfterAll
    static void stopSpark() throws IOException {
        if (context != null) {
            context.stop();
        }
        loader.close();
        sink.close();
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(JobManager::close);
    }

    private JobManager manager(int maxJobs) {
        Config settings = ConfigFactory.parseString("context.name = " + CONTEXT_NAME + "\nis-adhoc = false");
        Config fallback = ConfigFactory.parseString("spark.jobserver { flag = on, max-jobs-per-context = 8 }");
        ServerFiles noServer =
                new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", SECRET);
        ServerFiles results = new ServerFiles(HttpClient.newHttpClient(), sink.uri(), "ctx", SECRET);
        JobManager manager = new JobManager(
                FACTORY,
                context,
                CONTEXT_NAME,
                maxJobs,
                settings,
                fallback,
                classPath,
                namedObjects,
                new DataFiles(dir.resolve("data"), noServer),
                events::add,
                ProgressTracking.NONE,
                (jobId, stream) ->
                        results.uploadToServer(spark.jobserver.protocol.DriverLaunch.RESULT_PATH + jobId, stream),
                failedJobs::add,
                Clock.systemUTC());
        managers.add(manager);
        return manager;
    }

    private static Message.StartJob startJob(String jobId, Class<?> job, String config) {
        return startJob(jobId, job.getName(), config);
    }

    private static Message.StartJob startJob(String jobId, String classPath, String config) {
        return new Message.StartJob(jobId, classPath, List.of(), config);
    }

    private Message.JobEvent next() throws InterruptedException {
        Message.JobEvent event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(event).as("an event within " + WAIT).isNotNull();
        return event;
    }

    /** Starts a job and returns its events up to its outcome. */
    private List<Message.JobEvent> run(JobManager manager, Message.StartJob start) throws InterruptedException {
        manager.start(start);
        List<Message.JobEvent> seen = new ArrayList<>();
        while (true) {
            Message.JobEvent event = next();
            assertThat(event.jobId()).isEqualTo(start.jobId());
            seen.add(event);
            if (!(event instanceof Message.JobStarted)) {
                return seen;
            }
        }
    }

    private static JsonNode json(String text) throws IOException {
        return MAPPER.readTree(text);
    }

    /**
     * Compares what a client would read: the result as sent on the wire, parsed again (so a long 2 and an
     * int 2 are the same, and object fields may come in any order).
     */
    private static void assertJson(JsonNode actual, String expected) throws IOException {
        Object onTheWire = json(MAPPER.writeValueAsString(actual));
        assertThat(onTheWire).isEqualTo(json(expected));
    }

    private static JsonNode resultOf(List<Message.JobEvent> events) {
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOf(Message.JobStarted.class);
        assertThat(events.get(1)).isInstanceOf(Message.JobFinished.class);
        return ((Message.JobFinished) events.get(1)).result();
    }

    private static Message.JobValidationFailed validationFailure(List<Message.JobEvent> events) {
        assertThat(events).singleElement().isInstanceOf(Message.JobValidationFailed.class);
        return (Message.JobValidationFailed) events.get(0);
    }

    private static Message.JobRejected rejection(List<Message.JobEvent> events) {
        assertThat(events).singleElement().isInstanceOf(Message.JobRejected.class);
        return (Message.JobRejected) events.get(0);
    }

    private static Message.JobFailed failure(List<Message.JobEvent> events) {
        assertThat(events.get(events.size() - 1)).isInstanceOf(Message.JobFailed.class);
        return (Message.JobFailed) events.get(events.size() - 1);
    }

    // ---- the three styles

    @Test
    void aLegacyJobRunsOnTheClusterAndReturnsItsResult() throws Exception {
        assertJson(resultOf(run(manager(2), startJob("legacy", TestJobs.Legacy.class, "input = 1"))), "[2,4,6]");
    }

    @Test
    void aTypedJobGetsItsValidatedData() throws Exception {
        JsonNode result =
                resultOf(run(manager(2), startJob("typed", TestJobs.Typed.class, "input.string = \"a b c a b see\"")));
        assertJson(result, "{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");
    }

    @Test
    void aJavaJobGetsAJavaSparkContextAndTheConfigItsVerifyReturned() throws Exception {
        JsonNode result = resultOf(run(manager(2), startJob("java", JavaJobs.Java.class, "")));
        assertThat(result.asText()).isEqualTo("Hi! verified=yes master=local[1]");
    }

    @Test
    void aLegacyJavaJobRunsAndRefusesLikeTheOriginal() throws Exception {
        JobManager manager = manager(2);
        assertThat(resultOf(run(manager, startJob("lj", JavaJobs.LegacyJava.class, "input = 1")))
                        .asLong())
                .isEqualTo(4);
        assertThat(validationFailure(run(manager, startJob("lj2", JavaJobs.LegacyJava.class, "")))
                        .error()
                        .message())
                .isEqualTo("One(SparkJobInvalid(No input param))");
    }

    @Test
    void aScalaObjectJobIsTheSameInstanceForEveryRun() throws Exception {
        JobManager manager = manager(2);
        String classPath = "spark.jobserver.driver.TestJobs$ObjectJob";
        JsonNode first = resultOf(run(manager, startJob("o1", classPath, "")));
        JsonNode second = resultOf(run(manager, startJob("o2", classPath, "")));
        assertJson(second, first.toString());
        assertThat(first.asInt()).isEqualTo(System.identityHashCode(TestJobs.ObjectJob$.MODULE$));
    }

    @Test
    void aTopLevelScalaObjectRunsAsItself() throws Exception {
        JsonNode result = resultOf(run(
                manager(2),
                startJob("top", "spark.jobserver.driver.WordCountObject", "input.string = \"a b c a b see\"")));
        assertJson(result, "{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");
    }

    // ---- validation

    @Test
    void validationFailuresAreReportedInTheOriginalsWordsWithoutStartingTheJob() throws Exception {
        JobManager manager = manager(2);
        var legacy = validationFailure(run(manager, startJob("v1", TestJobs.Legacy.class, "")));
        assertThat(legacy.error().message()).isEqualTo("One(SparkJobInvalid(No input param))");
        assertThat(legacy.error().errorClass()).isEqualTo("java.lang.Throwable");

        var typed = validationFailure(run(manager, startJob("v2", TestJobs.Typed.class, "")));
        assertThat(typed.error().message()).isEqualTo("One(SingleProblem(No input.string param))");
        assertThat(typed.error().errorClass()).isEqualTo("java.lang.Throwable");
    }

    @Test
    void severalProblemsAreReportedAsScalacticsMany() throws Exception {
        var many = validationFailure(run(manager(2), startJob("v3", TestJobs.TwoProblems.class, "")));
        assertThat(many.error().message())
                .isEqualTo("Many(SingleProblem(No input.a param), SingleProblem(No input.b param))");
        assertThat(many.error().errorClass()).isEqualTo(JobStyles.VALIDATION_ERROR_CLASS);
    }

    @Test
    void aValidationReturningNullIsAnIllegalStateOfEveryScalaStyle() throws Exception {
        JobManager manager = manager(2);
        var typed = validationFailure(run(manager, startJob("n1", TestJobs.NullValidate.class, "")));
        assertThat(typed.error().errorClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(typed.error().message())
                .isEqualTo(TestJobs.NullValidate.class.getName() + ".validate returned null");
        var legacy = validationFailure(run(manager, startJob("n2", TestJobs.NullLegacyValidate.class, "")));
        assertThat(legacy.error().errorClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(legacy.error().message())
                .isEqualTo(TestJobs.NullLegacyValidate.class.getName() + ".validate returned null");
    }

    @Test
    void aValidationThatThrowsIsAValidationFailureOfEveryStyle() throws Exception {
        JobManager manager = manager(2);
        var verify = validationFailure(run(manager, startJob("t1", JavaJobs.FailingVerify.class, "")));
        assertThat(verify.error().message()).isEqualTo("fail");
        assertThat(verify.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(verify.error().stack()).contains("FailingVerify.verify");

        var validate = validationFailure(run(manager, startJob("t2", TestJobs.ThrowingValidate.class, "")));
        assertThat(validate.error().message()).isEqualTo("validate exploded");
        assertThat(validate.error().errorClass()).isEqualTo("java.lang.IllegalStateException");
    }

    // ---- failures and rejections

    @Test
    void aJobThatThrowsFails() throws Exception {
        var failed = failure(run(manager(2), startJob("f", TestJobs.Failing.class, "")));
        assertThat(failed.error().message()).isEqualTo("Foobar");
        assertThat(failed.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
    }

    @Test
    void aJobThrowingAnErrorFailsAloneAndTheDriverCarriesOn() throws Exception {
        JobManager manager = manager(1);
        var failed = failure(run(manager, startJob("oom", TestJobs.Fatal.class, "")));
        assertThat(failed.error().errorClass()).isEqualTo("java.lang.OutOfMemoryError");
        assertThat(failed.error().message()).isEqualTo("this job is too hungry");
        // Same single slot and thread pool: both survived.
        assertJson(resultOf(run(manager, startJob("after", TestJobs.Legacy.class, "input = 1"))), "[2,4,6]");
    }

    @Test
    void jobsThatCannotStartAreRejectedWithTheReferenceMessages() throws Exception {
        JobManager manager = manager(2);
        var missing = rejection(run(manager, startJob("r1", "no.such.Job", "")));
        assertThat(missing.reason()).isEqualTo(Rejection.CLASS_NOT_FOUND);
        assertThat(missing.error().message()).isEqualTo("classPath no.such.Job not found");

        var notAJob = rejection(run(manager, startJob("r2", TestJobs.NotAJob.class, "")));
        assertThat(notAJob.reason()).isEqualTo(Rejection.INVALID_JOB_TYPE);
        assertThat(notAJob.error().message()).isEqualTo("Invalid job type for this context");

        var noConstructor = rejection(run(manager, startJob("r3", TestJobs.NoDefaultConstructor.class, "")));
        assertThat(noConstructor.reason()).isEqualTo(Rejection.LOADING_FAILED);

        var badBinary = rejection(run(
                manager,
                new Message.StartJob(
                        "r4",
                        TestJobs.Legacy.class.getName(),
                        List.of(BinaryRef.uri("file:" + dir.resolve("missing.jar"))),
                        "")));
        assertThat(badBinary.reason()).isEqualTo(Rejection.LOADING_FAILED);
        assertThat(badBinary.error().message())
                .startsWith("Failed to load binary 'file:" + dir.resolve("missing.jar") + "'");
        assertThat(manager.runningJobIds()).isEmpty();
    }

    @Test
    void aJobConfigThatDoesNotParseFailsTheJob() throws Exception {
        var failed = failure(run(manager(2), startJob("bad-config", TestJobs.Legacy.class, "input = {")));
        assertThat(failed.error().errorClass()).startsWith("com.typesafe.config.ConfigException");
    }

    // ---- what jobs see

    @Test
    void jobsSeeTheirConfigWithTheServerFallbackAndTheirEnvironment() throws Exception {
        JsonNode result = resultOf(
                run(manager(2), startJob("echo", TestJobs.Echo.class, "a = posted\nb = ${spark.jobserver.flag}")));
        assertJson(result, ("""
                {"jobId":"echo","context":"test-context","posted":"posted","fallback":"on","resolved":"on",
                 "dataFileCache":true,"loader":"jobserver-context"}"""));
    }

    @Test
    void dataFilesThatExistLocallyAreUsedInPlace() throws Exception {
        Path file = Files.writeString(dir.resolve("upload.dat"), "uploaded text");
        JsonNode result =
                resultOf(run(manager(2), startJob("data", TestJobs.DataFile.class, "file = \"" + file + "\"")));
        assertThat(result.asText()).isEqualTo("uploaded text");
    }

    @Test
    void namedObjectsAreSharedByTheJobsOfAContext() throws Exception {
        JobManager manager = manager(2);
        assertJson(resultOf(run(manager, startJob("n1", TestJobs.Named.class, "value = 1"))), "[[\"box\"],1]");
        assertJson(resultOf(run(manager, startJob("n2", TestJobs.Named.class, "value = 2"))), "[[\"box\"],1]");
    }

    @Test
    void recordsComeBackAsObjects() throws Exception {
        assertJson(
                resultOf(run(manager(2), startJob("rec", JavaJobs.RecordResult.class, ""))),
                "{\"x\":3,\"label\":\"three\"}");
    }

    @Test
    void scalaResultsAreRenderedByTheOriginalsRules() throws Exception {
        JobManager manager = manager(2);
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("seq", "[1,2,3]");
        expected.put("list", "[\"a\",\"b\"]");
        expected.put("map", "{\"a\":1,\"b\":[\"x\",\"y\"],\"c\":{\"d\":true}}");
        expected.put("emptyMap", "{}");
        expected.put("symbolKeys", "{\"a\":1}");
        expected.put("intKeys", "{\"1\":\"one\"}");
        expected.put("some", "[\"x\"]");
        expected.put("none", "[]");
        expected.put("caseClass", "[\"a\",2]");
        expected.put("tuple", "[\"horse\",3]");
        expected.put("nested", "[[[\"b\",1]],[],[\"t\",[1]]]");
        expected.put("arrayOfInt", "[2,4,6]");
        expected.put("bigDecimal", "100.50");
        expected.put("bigInt", "123456789012345678901234567890");
        expected.put("double", "3.5");
        expected.put("long", "1099511627776");
        expected.put("unit", "\"()\"");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonNode result = resultOf(
                    run(manager, startJob("scala-" + e.getKey(), TestJobs.ScalaResult.class, "kind = " + e.getKey())));
            assertThat(MAPPER.writeValueAsString(result)).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    // ---- slots, kill, stop

    @Test
    void jobsBeyondTheSlotsAreRefusedUntilASlotFrees() throws Exception {
        JobManager manager = manager(1);
        manager.start(startJob("long", TestJobs.Sleep.class, "sleep.time.millis = 60000"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        assertThat(manager.runningJobIds()).containsExactly("long");

        var refused = rejection(run(manager, startJob("extra", TestJobs.Sleep.class, "sleep.time.millis = 1")));
        assertThat(refused.reason()).isEqualTo(Rejection.NO_SLOTS);
        assertThat(refused.error().message()).isEqualTo("Too many running jobs (1) for job context 'test-context'");

        manager.kill("long");
        assertThat(next())
                .isInstanceOf(Message.JobKilled.class)
                .extracting(Message.JobEvent::jobId)
                .isEqualTo("long");
        assertThat(resultOf(run(manager, startJob("next", TestJobs.Sleep.class, "sleep.time.millis = 1")))
                        .asLong())
                .isEqualTo(1);
    }

    @Test
    void aKilledJobIsKilledAtOnceAndSaysNothingAfterwards() throws Exception {
        JobManager manager = manager(2);
        manager.start(startJob("stubborn", TestJobs.Stubborn.class, "sleep.time.millis = 500"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);

        manager.kill("stubborn");
        assertThat(next())
                .isInstanceOf(Message.JobKilled.class)
                .extracting(Message.JobEvent::jobId)
                .isEqualTo("stubborn");
        assertThat(manager.runningJobIds()).isEmpty();

        // The job ignores the interrupt, tries the cluster again (in vain) and returns a result; the server
        // must not hear of it.
        assertThat(TestJobs.stubbornReturned().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(TestJobs.stubbornSparkJob().get()).startsWith("failed:").contains("cancel");
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void killingAJobCancelsItsSparkJobs() throws Exception {
        JobManager manager = manager(2);
        SparkContext sc = context.sparkContext();
        manager.start(startJob("slow", TestJobs.SlowSpark.class, ""));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        awaitTrue(() -> sc.statusTracker().getJobIdsForGroup("slow").length > 0, "the Spark job to start");

        manager.kill("slow");
        assertThat(next()).isInstanceOf(Message.JobKilled.class);
        awaitTrue(() -> sc.statusTracker().getActiveJobIds().length == 0, "the Spark job to be cancelled");
        assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void killingAnUnknownJobIsIgnored() throws Exception {
        manager(2).kill("nobody");
        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void stoppingKillsRunningJobsAndRefusesNewOnes() throws Exception {
        JobManager manager = manager(2);
        manager.start(startJob("running", TestJobs.Sleep.class, "sleep.time.millis = 60000"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);

        manager.killAll();
        assertThat(next())
                .isInstanceOf(Message.JobKilled.class)
                .extracting(Message.JobEvent::jobId)
                .isEqualTo("running");

        var refused = rejection(run(manager, startJob("late", TestJobs.Legacy.class, "input = 1")));
        assertThat(refused.reason()).isEqualTo(Rejection.CONTEXT_STOPPING);
        assertThat(refused.error().message()).isEqualTo("Context stop in progress");
    }

    // ---- stream results

    @Test
    void aJobReturningAStreamHasItsBytesUploadedChunkedFromItsOwnThread() throws Exception {
        long size = 5L * 1024 * 1024 + 17;
        StyleJobs.readBy().set(null);
        StyleJobs.closed().set(false);
        List<Message.JobEvent> seen =
                run(manager(2), startJob("stream", StyleJobs.StreamResult.class, "size = " + size));

        assertThat(seen).hasSize(2);
        assertThat(seen.get(1))
                .isInstanceOfSatisfying(
                        Message.JobStreamFinished.class,
                        f -> assertThat(f.size()).isEqualTo(size));
        ResultSink.Upload upload = sink.upload("stream");
        assertThat(upload.size()).isEqualTo(size);
        assertThat(upload.sha256()).isEqualTo(ServerFiles.sha256(writePattern(size)));
        assertThat(upload.transferEncoding()).isEqualToIgnoringCase("chunked");
        assertThat(upload.contentLength()).isNull();
        // Read by the job's thread, so Spark work behind a stream runs in the job's group; closed afterwards.
        assertThat(StyleJobs.readBy().get()).startsWith("jobserver-job");
        assertThat(StyleJobs.closed().get()).isTrue();
    }

    @Test
    void aStreamTheServerRefusesFailsTheJobWithTheServersAnswer() throws Exception {
        StyleJobs.closed().set(false);
        sink.failWith(507);
        try {
            var failed = failure(run(manager(2), startJob("refused", StyleJobs.StreamResult.class, "size = 1000")));
            assertThat(failed.error().errorClass()).isEqualTo("java.io.IOException");
            assertThat(failed.error().message())
                    .isEqualTo("Uploading the result stream of job refused to the server failed: "
                            + "POST /driver/results/refused answered HTTP 507: no room");
            assertThat(StyleJobs.closed().get()).isTrue();
            // The hook runs just after the event is published.
            awaitTrue(() -> failedJobs.contains("refused"), "the failure to be reported");
        } finally {
            sink.failWith(0);
        }
    }

    @Test
    void aScalaStreamOrLazyListOfBytesIsSentAsTheResultsBytes() throws Exception {
        JobManager manager = manager(2);
        for (String kind : List.of("stream", "lazyList")) {
            String jobId = "scala-" + kind;
            List<Message.JobEvent> seen = run(manager, startJob(jobId, TestJobs.ScalaResult.class, "kind = " + kind));
            byte[] bytes = kind.equals("stream")
                    ? "\"streamed\"".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : "[1,2,3]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(seen).hasSize(2);
            assertThat(seen.get(1))
                    .as(kind)
                    .isInstanceOfSatisfying(
                            Message.JobStreamFinished.class,
                            f -> assertThat(f.size()).isEqualTo(bytes.length));
            assertThat(sink.upload(jobId).size()).isEqualTo(bytes.length);
            assertThat(sink.upload(jobId).sha256()).isEqualTo(sha256(bytes));
        }
        // Larger than the upload's chunks, made as it is read.
        int size = 3 * StreamUpload.CHUNK_SIZE + 5;
        assertThat(run(manager, startJob("many-bytes", TestJobs.ScalaResult.class, "kind = manyBytes\nsize = " + size)))
                .last()
                .isInstanceOf(Message.JobStreamFinished.class);
        byte[] expected = new byte[size];
        for (int i = 0; i < size; i++) {
            expected[i] = (byte) ('a' + i % 26);
        }
        assertThat(sink.upload("many-bytes").size()).isEqualTo(size);
        assertThat(sink.upload("many-bytes").sha256()).isEqualTo(sha256(expected));
    }

    @Test
    void aLazyListOfOtherThanBytesIsASequenceAndAStreamOfThemFailsTheJobSayingSo() throws Exception {
        JobManager manager = manager(2);
        assertJson(resultOf(run(manager, startJob("ints", TestJobs.ScalaResult.class, "kind = notBytes"))), "[1,2]");
        assertJson(resultOf(run(manager, startJob("empty", TestJobs.ScalaResult.class, "kind = emptyLazyList"))), "[]");
        var failed = failure(run(manager, startJob("not-bytes", TestJobs.ScalaResult.class, "kind = notBytesStream")));
        assertThat(failed.error().errorClass()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(failed.error().message())
                .isEqualTo("a Stream result must hold Bytes (the bytes of the result), but element 0 is a"
                        + " java.lang.Integer");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private Path writePattern(long size) throws IOException {
        Path file = dir.resolve("pattern-" + size);
        try (var in = new StyleJobs.PatternStream(size)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    // ---- failures the driver acts on

    @Test
    void onlyJobsThatThrowAreReportedAsFailures() throws Exception {
        JobManager manager = manager(2);
        failure(run(manager, startJob("thrower", TestJobs.Failing.class, "")));
        validationFailure(run(manager, startJob("invalid", TestJobs.Legacy.class, "")));
        rejection(run(manager, startJob("missing", "no.such.Job", "")));
        manager.start(startJob("killed", TestJobs.Sleep.class, "sleep.time.millis = 60000"));
        assertThat(next()).isInstanceOf(Message.JobStarted.class);
        manager.kill("killed");
        assertThat(next()).isInstanceOf(Message.JobKilled.class);
        awaitTrue(() -> !failedJobs.isEmpty(), "the failure to be reported");
        assertThat(failedJobs).containsExactly("thrower");
    }

    // ---- named objects for legacy jobs

    @Test
    void legacyJobsGetTheNamedObjectsBeforeValidationAndNamedRddsWithTheOriginalsDefaults() throws Exception {
        JobManager manager = manager(2);
        assertJson(
                resultOf(run(manager, startJob("rdd1", StyleJobs.CacheByName.class, ""))),
                "[55,\"squares-source\",\"Memory Deserialized 1x Replicated\"]");
        assertJson(
                resultOf(run(manager, startJob("rdd2", StyleJobs.CacheByName.class, ""))),
                "[55,\"squares-source\",\"Memory Deserialized 1x Replicated\"]");
        assertThat(CollectionConverters.asJava(namedObjects.getNames())).contains("squares-source");
        // Computed when stored (forceComputation): its blocks are in the cache. The storage information comes
        // from the status store, which Spark's listener bus fills asynchronously: wait until it has seen all.
        context.sparkContext().listenerBus().waitUntilEmpty();
        assertThat(context.sparkContext().getRDDStorageInfo()).anySatisfy(info -> {
            assertThat(info.name()).isEqualTo("squares-source");
            assertThat(info.numCachedPartitions()).isPositive();
        });
    }

    // ---- binaries

    @Test
    void jobsFromABinaryRunOnTheContextClassPathAndTheExecutors() throws Exception {
        Path jar = DynamicJar.build(
                dir,
                "dyn",
                Map.of(
                        "dyn.Times", """
                        package dyn;
                        public class Times implements org.apache.spark.api.java.function.Function<Integer, Integer> {
                            private final int factor;
                            public Times(int factor) { this.factor = factor; }
                            @Override public Integer call(Integer x) { return x * factor; }
                        }
                        """,
                        "dyn.DynJob", """
                        package dyn;
                        import com.typesafe.config.Config;
                        import org.apache.spark.SparkContext;
                        import org.apache.spark.api.java.JavaSparkContext;
                        import spark.jobserver.JavaSparkJob;
                        public class DynJob extends JavaSparkJob {
                            @Override public Object runJob(JavaSparkContext jsc, Config config) {
                                // Times is loaded on the executor from the jar Spark was given.
                                return jsc.parallelize(java.util.List.of(1, 2, 3)).map(new Times(10)).collect();
                            }
                        }
                        """));
        JobManager manager = manager(2);
        List<BinaryRef> binaries = List.of(BinaryRef.uri(jar.toUri().toString()));
        JsonNode first = resultOf(run(manager, new Message.StartJob("dyn1", "dyn.DynJob", binaries, "")));
        JsonNode second = resultOf(run(manager, new Message.StartJob("dyn2", "dyn.DynJob", binaries, "")));

        assertJson(first, "[10,20,30]");
        assertJson(second, "[10,20,30]");
        List<String> sparkJars =
                CollectionConverters.asJava(context.sparkContext().listJars());
        assertThat(sparkJars).filteredOn(j -> j.endsWith("/dyn.jar")).hasSize(1);
        assertThat(loader.getURLs())
                .filteredOn(u -> u.getPath().endsWith("/dyn.jar"))
                .hasSize(1);

        // Without the binary, the class is nowhere.
        assertThat(rejection(run(manager, startJob("dyn3", "dyn.Other", ""))).reason())
                .isEqualTo(Rejection.CLASS_NOT_FOUND);
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
