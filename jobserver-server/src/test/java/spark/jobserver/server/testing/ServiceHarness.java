package spark.jobserver.server.testing;

import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.server.binaries.BinaryService;
import spark.jobserver.server.binaries.JdbcBinaryStore;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.contexts.JdbcContextStore;
import spark.jobserver.server.ha.Cluster;
import spark.jobserver.server.ha.JdbcCluster;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.jobs.JdbcStreamResultStore;
import spark.jobserver.server.jobs.JobCallbacks;
import spark.jobserver.server.jobs.JobListener;
import spark.jobserver.server.jobs.JobRecorder;
import spark.jobserver.server.jobs.JobService;
import spark.jobserver.server.jobs.JobSettings;
import spark.jobserver.server.jobs.StreamResultService;
import spark.jobserver.server.jobs.StreamResults;
import spark.jobserver.server.store.Database;

/**
 * The middle test tier: the server's context and job services wired as {@code JobServer} wires them, on
 * a real H2 database, with a {@link FakeLauncher} instead of driver JVMs and {@link FakeDriver}s playing
 * the drivers, and a clock the test moves. State machines, recovery and heartbeats run in milliseconds.
 * Timeouts are short: start 500 ms, stop escalation 2 × 250 ms, re-attach 500 ms, heartbeat 60 s (of
 * the test's clock).
 */
public final class ServiceHarness implements AutoCloseable {
    public static final Duration WAIT = Duration.ofSeconds(5);

    private final ServerConfig config;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    private final FakeLauncher launcher = new FakeLauncher();
    private final ScheduledExecutorService scheduler =
            Executors.newScheduledThreadPool(2, NamedThreads.daemon("harness-scheduler"));
    private final Database database;
    private final JdbcJobStore jobStore;
    private final JdbcContextStore contextStore;
    private final BinaryService binaries;
    private final JobCallbacks callbacks;
    private ContextService contexts;
    private JobRecorder recorder;
    private JobService jobs;
    /** The harness's server among others on its database, or alone. */
    private final String serverId;

    /** Another server on the harness's database: its own services, the same launcher, clock and scheduler. */
    public record Server(String id, ContextService contexts, JobRecorder recorder, JobService jobs) {}

    private ServiceHarness(Path root, String extraConfig, String serverId) {
        this.serverId = serverId;
        Map<String, Object> test = Map.of(
                "spark.jobserver.rootdir",
                root.toString(),
                "spark.master",
                "local[2]",
                "spark.jobserver.context-creation-timeout",
                "500ms",
                "spark.jobserver.context-deletion-timeout",
                "250ms",
                "spark.jobserver.driver.reattach-timeout",
                "500ms",
                "spark.jobserver.driver.heartbeat-timeout",
                "60s",
                "spark.context-settings.context-init-timeout",
                "100ms",
                // the real H2 engine, in memory: one database per test JVM, emptied for each harness
                "spark.jobserver.sqldao.jdbc.url",
                "jdbc:h2:mem:service-harness");
        this.config = ServerConfig.from(
                Configs.load(null, ConfigFactory.parseString(extraConfig).withFallback(ConfigFactory.parseMap(test))));
        this.database = SharedDatabase.emptied(config);
        this.jobStore = new JdbcJobStore(database);
        this.contextStore = new JdbcContextStore(database);
        this.binaries = new BinaryService(
                new JdbcBinaryStore(database),
                config.binaryCacheDir(),
                config.maxContentLength(),
                clock,
                jobStore::unfinishedUsingBinary);
        this.callbacks = new JobCallbacks(JobSettings.from(config.raw()), scheduler);
        build();
    }

    /** Services on a database under {@code root}; {@code extraConfig} is HOCON over the test defaults. */
    public static ServiceHarness start(Path root, String extraConfig) {
        ServiceHarness harness = new ServiceHarness(root, extraConfig, null);
        harness.contexts.recover();
        return harness;
    }

    /**
     * As {@link #start}, as server {@code serverId} among others on the database (its URL is {@code
     * http://<serverId>}, its lease 10 s of the harness's clock); {@link #otherServer} adds the others.
     */
    public static ServiceHarness startShared(Path root, String extraConfig, String serverId) {
        ServiceHarness harness = new ServiceHarness(root, extraConfig, serverId);
        harness.contexts.recover();
        return harness;
    }

    /** A cluster view of server {@code id} on this harness's database. */
    public Cluster cluster(String id) {
        return new JdbcCluster(database, id, "http://" + id, clock, LEASE);
    }

    static final Duration LEASE = Duration.ofSeconds(10);

    /** Another server on the harness's database, recovered as at its start. */
    public Server otherServer(String id) {
        JobRecorder otherRecorder = recorder(JobListener.NONE);
        ContextService otherContexts = contextService(otherRecorder, cluster(id));
        otherContexts.recover();
        StreamResultService streams = new StreamResultService(
                jobStore, new JdbcStreamResultStore(database), streamFiles(), otherRecorder, clock);
        return new Server(
                id,
                otherContexts,
                otherRecorder,
                new JobService(
                        jobStore, binaries, otherContexts, otherRecorder, streams, config.contextDefaults(), clock));
    }

    /** The fake driver, connecting to {@code service} instead (as a driver failing over to another server). */
    public FakeDriver reattachTo(FakeDriver driver, ContextService service) {
        return new FakeDriver(driver.spec(), driver.process(), service.drivers());
    }

    private StreamResults streamFiles() {
        return new StreamResults(config.rootDir().resolve("results"), 1 << 20, 64 * 1024);
    }

    private JobRecorder recorder(JobListener listener) {
        return new JobRecorder(
                jobStore,
                new JdbcStreamResultStore(database),
                streamFiles(),
                callbacks,
                config.jobHistory(),
                binaries::newestRef,
                listener,
                clock);
    }

    private ContextService contextService(spark.jobserver.server.contexts.ContextEvents events, Cluster cluster) {
        return new ContextService(
                config,
                contextStore,
                launcher,
                events,
                clock,
                scheduler,
                () -> "http://127.0.0.1:1",
                name -> BinaryService.ref(binaries.get(name)),
                cluster,
                LEASE);
    }

    private void build() {
        JdbcStreamResultStore streamStore = new JdbcStreamResultStore(database);
        StreamResults streamFiles = streamFiles();
        recorder = recorder(JobListener.NONE);
        contexts = contextService(recorder, serverId == null ? Cluster.alone() : cluster(serverId));
        StreamResultService streams = new StreamResultService(jobStore, streamStore, streamFiles, recorder, clock);
        jobs = new JobService(jobStore, binaries, contexts, recorder, streams, config.contextDefaults(), clock);
    }

    /** A server restart: new services on the same database; the fake drivers' processes live on. */
    public void restart() {
        stopServices();
        startServices();
    }

    /** The first half of a restart: the services stop (drivers live on, unwatched). */
    public void stopServices() {
        contexts.close();
    }

    /** The second half of a restart: new services recover what the database holds. */
    public void startServices() {
        build();
        contexts.recover();
    }

    /** Another context service on this harness's database, launcher, clock and scheduler, telling {@code events}. */
    public ContextService contextsTelling(spark.jobserver.server.contexts.ContextEvents events) {
        return contextService(events, Cluster.alone());
    }

    public ContextService contexts() {
        return contexts;
    }

    public JobService jobs() {
        return jobs;
    }

    public JobRecorder recorder() {
        return recorder;
    }

    public FakeLauncher launcher() {
        return launcher;
    }

    public MutableClock clock() {
        return clock;
    }

    public ServerConfig config() {
        return config;
    }

    /** The driver of the next launch, as a fake driver connected to the current services. */
    public FakeDriver nextDriver() {
        return nextDriver(contexts);
    }

    /** The driver of the next launch, connected to {@code service}. */
    public FakeDriver nextDriver(ContextService service) {
        FakeLauncher.Launch launch = launcher.nextLaunch(WAIT);
        return new FakeDriver(launch.spec(), launch.process(), service.drivers());
    }

    /** A fake driver that re-attaches to the current services (after {@link #restart}). */
    public FakeDriver reattach(FakeDriver driver) {
        return new FakeDriver(driver.spec(), driver.process(), contexts.drivers());
    }

    /** Starts a context and plays its driver until the context runs. */
    public FakeDriver runningContext(String name) {
        var started = contexts.start(name, config.contextDefaults(), false);
        FakeDriver driver = nextDriver().ready();
        ContextInfo info = started.orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .join();
        if (!info.name().equals(name)) {
            throw new AssertionError("started " + info.name() + " instead of " + name);
        }
        return driver;
    }

    /** Uploads a minimal jar as {@code appName}. */
    public void uploadJar(String appName) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        binaries.upload(appName, "application/java-archive", new ByteArrayInputStream(bytes.toByteArray()));
    }

    @Override
    public void close() {
        contexts.close();
        callbacks.close();
        scheduler.shutdownNow();
    }
}
