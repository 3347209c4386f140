package spark.jobserver.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.server.auth.AccessControl;
import spark.jobserver.server.auth.AccessGate;
import spark.jobserver.server.auth.AuthSettings;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.binaries.BinaryRoutes;
import spark.jobserver.server.binaries.BinaryService;
import spark.jobserver.server.binaries.InitialBinaries;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.contexts.ConfiguredContexts;
import spark.jobserver.server.contexts.ContextDirectories;
import spark.jobserver.server.contexts.ContextEvents;
import spark.jobserver.server.contexts.ContextRoutes;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.contexts.ContextStore;
import spark.jobserver.server.data.DataRoutes;
import spark.jobserver.server.data.DataService;
import spark.jobserver.server.drivers.DriverEndpoint;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverRequests;
import spark.jobserver.server.drivers.DriverTrust;
import spark.jobserver.server.drivers.LocalDriverLauncher;
import spark.jobserver.server.events.EventRoutes;
import spark.jobserver.server.events.EventSettings;
import spark.jobserver.server.events.EventStream;
import spark.jobserver.server.ha.Cluster;
import spark.jobserver.server.ha.Forwarder;
import spark.jobserver.server.ha.HaSettings;
import spark.jobserver.server.ha.JdbcCluster;
import spark.jobserver.server.http.CorsSettings;
import spark.jobserver.server.http.HttpServer;
import spark.jobserver.server.http.TlsSettings;
import spark.jobserver.server.idempotency.Idempotency;
import spark.jobserver.server.idempotency.IdempotencySettings;
import spark.jobserver.server.idempotency.JdbcIdempotencyStore;
import spark.jobserver.server.jobs.HistoryPruner;
import spark.jobserver.server.jobs.JobCallbacks;
import spark.jobserver.server.jobs.JobListener;
import spark.jobserver.server.jobs.JobRecorder;
import spark.jobserver.server.jobs.JobRoutes;
import spark.jobserver.server.jobs.JobService;
import spark.jobserver.server.jobs.JobSettings;
import spark.jobserver.server.jobs.JobStore;
import spark.jobserver.server.jobs.StreamResultService;
import spark.jobserver.server.jobs.StreamResultStore;
import spark.jobserver.server.jobs.StreamResults;
import spark.jobserver.server.logs.LogRoutes;
import spark.jobserver.server.logs.LogService;
import spark.jobserver.server.logs.LogSettings;
import spark.jobserver.server.logs.ShippedLogs;
import spark.jobserver.server.metrics.MetricsRoutes;
import spark.jobserver.server.metrics.ServerMetrics;
import spark.jobserver.server.namedobjects.NamedObjectRoutes;
import spark.jobserver.server.progress.JobProgressRoutes;
import spark.jobserver.server.progress.JobProgressService;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Stores;

/** The composition root: reading it tells the whole server. */
public final class JobServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobServer.class);
    /** How long {@code GET /contexts/<name>/objects} waits for the driver: it answers from memory at once. */
    private static final Duration NAMED_OBJECTS_TIMEOUT = Duration.ofSeconds(15);

    private final ServerConfig config;
    private final Database database;
    private final Stores stores;
    private final ScheduledExecutorService scheduler;
    private final ContextService contexts;
    private final ConfiguredContexts configured;
    private final DriverLauncher launcher;
    private final QueuedThreadPool httpThreads;
    private final HttpServer http;
    private final AccessGate gate;
    private final boolean https;
    private final JobCallbacks callbacks;
    private final HistoryPruner pruner;
    private final Idempotency idempotency;
    private final ServerMetrics metrics = new ServerMetrics();
    private final EventStream events;
    private final AtomicReference<String> serverUrl = new AtomicReference<>();
    private final HaSettings ha;
    /** How the other servers and the drivers reach this server, with others on the database; else empty. */
    private final String sharedUrl;

    private JobServer(ServerConfig config) {
        this.config = config;
        // Security settings first: a bad keystore or provider fails the start before anything is opened.
        AuthSettings auth = AuthSettings.from(config.raw());
        java.util.Optional<TlsSettings> tls = TlsSettings.from(config.raw());
        CorsSettings cors = CorsSettings.from(config.raw());
        this.https = tls.isPresent();
        DriverTrust driverTrust = driverTrust(tls, config);
        Clock clock = Clock.systemUTC();
        this.ha = HaSettings.from(config.raw());
        this.sharedUrl = ha.enabled() ? sharedUrl(config, ha, https) : "";
        this.database = Database.open(config.database(), config.rootDir());
        Cluster cluster;
        try {
            cluster = ha.enabled()
                    ? new JdbcCluster(
                            database,
                            ha.serverId().isEmpty() ? sharedUrl : ha.serverId(),
                            sharedUrl,
                            clock,
                            ha.leaseTimeout())
                    : Cluster.alone();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        this.stores = openStores(config, database);
        this.scheduler = Executors.newScheduledThreadPool(2, NamedThreads.daemon("jobserver-scheduler"));

        JobStore jobStore = stores.jobs();
        BinaryService binaries = new BinaryService(
                stores.binaries(),
                config.binaryCacheDir(),
                config.maxContentLength(),
                clock,
                jobStore::unfinishedUsingBinary);
        binaries.removeLeftoverTemporaryFiles();
        InitialBinaries.upload(binaries, InitialBinaries.from(config.raw()));
        ContextStore contextStore = stores.contexts();
        this.launcher = new LocalDriverLauncher(config, driverTrust.environment(), scheduler);
        JobSettings jobSettings = JobSettings.from(config.raw());
        LogSettings logSettings = LogSettings.from(config.raw());
        this.callbacks = new JobCallbacks(jobSettings, scheduler);
        StreamResults streamFiles = new StreamResults(
                config.rootDir().resolve("results"), jobSettings.maxStreamResultSize(), jobSettings.resultChunkSize());
        StreamResultStore streamStore = stores.streamResults();
        this.events = new EventStream(EventSettings.from(config.raw()), clock, scheduler);
        JobProgressService progress = new JobProgressService(stores.progress());
        JobRecorder recorder = new JobRecorder(
                jobStore,
                streamStore,
                streamFiles,
                callbacks,
                config.jobHistory(),
                binaries::newestRef,
                // progress is stored before the event stream tells a job's end
                JobListener.all(metrics, progress, events.follower()),
                clock);
        this.contexts = new ContextService(
                config,
                contextStore,
                launcher,
                ContextEvents.all(recorder, progress, new ShippedLogs(), events.follower()),
                clock,
                scheduler,
                serverUrl::get,
                name -> BinaryService.ref(binaries.get(name)),
                cluster,
                ha.leaseTimeout());
        metrics.watch(contexts::countByState, recorder::jobsInFlight, contexts::longestDriverSilence);
        this.configured = new ConfiguredContexts(contexts, config.contexts(), config.contextDefaults(), scheduler);
        StreamResultService streams = new StreamResultService(jobStore, streamStore, streamFiles, recorder, clock);
        JobService jobs =
                new JobService(jobStore, binaries, contexts, recorder, streams, config.contextDefaults(), clock);
        ContextDirectories contextDirs = new ContextDirectories(config.rootDir().resolve("contexts"), contextStore);
        this.pruner = new HistoryPruner(
                jobStore,
                contextStore,
                config.jobHistory(),
                clock,
                () -> streams.deleteOrphans() + contextDirs.deleteOrphans());
        LogService logs = new LogService(contexts, contextStore, jobs);

        DriverEndpoint drivers = new DriverEndpoint(contexts.drivers(), binaries::localFile, driverRuntime(config));
        DriverRequests driverRequests = new DriverRequests(contexts.drivers());
        // Jetty's request threads; replies that wait on a context are written on them too, never on the
        // context's own event thread.
        this.httpThreads = new QueuedThreadPool(200, 8, 60_000);
        httpThreads.setName("jobserver-http");
        DataService data =
                new DataService(config.dataDir(), config.maxContentLength(), clock, ZoneId.systemDefault(), scheduler);
        this.gate = new AccessGate(
                AccessControl.create(auth),
                auth.authTimeout(),
                auth.maxConcurrentAuthentications(),
                driverTrust::isDriverCertificate,
                auth.publicMetrics(),
                auth.publicApiDocs());
        ProxyUsers proxyUsers = ProxyUsers.of(auth.useAsProxyUser());
        // Idempotency-Key requests: a key IN_PROGRESS on another server process is taken over once that process
        // is gone (its lease ran out, or it restarted); alone on the database, only this process is alive.
        this.idempotency = new Idempotency(
                IdempotencySettings.from(config.raw()),
                new JdbcIdempotencyStore(database),
                clock,
                cluster.instanceId(),
                cluster::isLiveInstance);
        this.http = new HttpServer(
                config.bindAddress(),
                config.port(),
                config.maxContentLength(),
                config.driver().maxMessageSize(),
                httpThreads,
                sslContextFactory(tls, driverTrust),
                cors,
                List.of(
                        gate::register,
                        idempotency::register,
                        new Forwarder(cluster.serverId(), ha.leaseTimeout())::register,
                        new HealthRoutes(database)::register,
                        new MetricsRoutes(metrics, Path.of("statusz.html"))::register,
                        new BinaryRoutes(binaries)::register,
                        new ContextRoutes(contexts, config.contextDefaults(), configured, proxyUsers, httpThreads)
                                ::register,
                        new JobRoutes(jobs, streams, driverRequests, proxyUsers, httpThreads)::register,
                        new JobProgressRoutes(jobs, progress)::register,
                        new NamedObjectRoutes(contexts, proxyUsers, NAMED_OBJECTS_TIMEOUT, httpThreads)::register,
                        new DataRoutes(data, driverRequests)::register,
                        new EventRoutes(events, proxyUsers)::register,
                        new LogRoutes(logs, proxyUsers, logSettings, scheduler, httpThreads, clock)::register,
                        drivers::register));
    }

    /** Builds the server; nothing listens until {@link #start()}. */
    public static JobServer create(ServerConfig config) {
        return new JobServer(config);
    }

    public JobServer start() {
        if (ha.enabled()) {
            // known before the start: the lease names it, and it is the address of every context started here
            serverUrl.set(
                    config.driver().serverUrl().isBlank()
                            ? sharedUrl
                            : config.driver().serverUrl());
        }
        // Contexts whose drivers are known to be gone (and their jobs) are marked before the first request is
        // answered, so no client sees a lost context's job still RUNNING; live drivers re-attach afterwards.
        contexts.recover();
        http.start();
        if (!ha.enabled()) {
            serverUrl.set(
                    config.driver().serverUrl().isBlank()
                            ? (https ? "https://" : "http://") + localHost(config) + ":" + http.port()
                            : config.driver().serverUrl());
        } else {
            long lease = ha.leaseInterval().toMillis();
            scheduler.scheduleWithFixedDelay(
                    () -> {
                        try {
                            contexts.sweep();
                        } catch (RuntimeException e) {
                            LOG.warn("Renewing this server's lease failed: {}", e.getMessage());
                        }
                    },
                    lease,
                    lease,
                    TimeUnit.MILLISECONDS);
        }
        configured.startAll();
        launcher.prepare();
        long beat = config.driver().heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(contexts::checkHeartbeats, beat, beat, TimeUnit.MILLISECONDS);
        long prune = config.jobHistory().pruneInterval().toMillis();
        scheduler.scheduleWithFixedDelay(pruner, 0, prune, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(idempotency::prune, 0, prune, TimeUnit.MILLISECONDS);
        LOG.info(
                "Spark Job Server {} listening on {}://{}:{} (root {})",
                version(),
                https ? "https" : "http",
                config.bindAddress(),
                http.port(),
                config.rootDir());
        return this;
    }

    public int port() {
        return http.port();
    }

    /** {@code https} when {@code ssl-encryption} is on, else {@code http}: the one scheme the port speaks. */
    public String scheme() {
        return https ? "https" : "http";
    }

    /** The address drivers dial on this host: the bind address, or loopback when it listens on every address. */
    private static String localHost(ServerConfig config) {
        return config.bindAddress().equals("0.0.0.0") || config.bindAddress().equals("::")
                ? "127.0.0.1"
                : config.bindAddress();
    }

    /**
     * This server's address for the other servers and for drivers, with several servers on the database:
     * {@code ha.url}, else the drivers' server URL, else the bind address and port.
     *
     * @throws IllegalArgumentException for a database only one server can use (H2) or a port chosen at start
     */
    private static String sharedUrl(ServerConfig config, HaSettings ha, boolean https) {
        if (config.stores().binaries() != spark.jobserver.server.store.StoreSettings.Binaries.SQL
                || config.stores().metadata() != spark.jobserver.server.store.StoreSettings.Metadata.SQL) {
            throw new IllegalArgumentException("spark.jobserver.ha.enabled needs metadata and binaries in the SQL"
                    + " database: with ZooKeeper metadata or HDFS binaries the server runs alone");
        }
        if (config.database().jdbcUrl().startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("spark.jobserver.ha.enabled needs a database several servers can"
                    + " share (PostgreSQL or MySQL, spark.jobserver.sqldao.jdbc.url): H2 serves one server only");
        }
        if (!ha.url().isEmpty()) {
            return ha.url();
        }
        if (!config.driver().serverUrl().isBlank()) {
            return config.driver().serverUrl().replaceAll("/+$", "");
        }
        if (config.port() == 0) {
            throw new IllegalArgumentException(
                    "spark.jobserver.ha.enabled needs a fixed spark.jobserver.port, or spark.jobserver.ha.url");
        }
        if (localHost(config).equals("127.0.0.1")) {
            LOG.warn("High availability with no spark.jobserver.ha.url: the other servers and the drivers reach"
                    + " this one at 127.0.0.1, which works only when they all run on this host");
        }
        return (https ? "https://" : "http://") + localHost(config) + ":" + config.port();
    }

    /** Stops serving. Drivers are left running: they re-attach when a server comes back. */
    @Override
    public void close() {
        events.close(); // open streams would hold up the HTTP server's stop
        http.close();
        stopQuietly(httpThreads); // Jetty stops the pool it was given; this makes sure of it
        gate.close();
        contexts.close();
        callbacks.close();
        scheduler.shutdownNow();
        stores.close();
        database.close();
        metrics.close();
        LOG.info("Spark Job Server stopped");
    }

    /** The stores the configuration chooses; the database is closed when they cannot be opened. */
    private static Stores openStores(ServerConfig config, Database database) {
        try {
            return Stores.open(config.stores(), database);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static void stopQuietly(QueuedThreadPool pool) {
        try {
            pool.stop();
        } catch (Exception e) {
            LOG.debug("Stopping the HTTP threads failed", e);
        }
    }

    /** The driver jar by its file name, served to clusters that run drivers on their nodes. */
    private static java.util.Map<String, java.nio.file.Path> driverRuntime(ServerConfig config) {
        if (config.driver().jar().isBlank()) {
            return java.util.Map.of();
        }
        java.nio.file.Path jar = java.nio.file.Path.of(config.driver().jar());
        return java.util.Map.of(jar.getFileName().toString(), jar);
    }

    /** What drivers need to dial back over HTTPS: the server certificate to pin and, with client auth, their certificate. */
    private static DriverTrust driverTrust(java.util.Optional<TlsSettings> tls, ServerConfig config) {
        try {
            return tls.isPresent() ? DriverTrust.prepare(tls.get(), config.rootDir()) : DriverTrust.none();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot prepare the drivers' TLS material: " + e.getMessage(), e);
        }
    }

    private static org.eclipse.jetty.util.ssl.SslContextFactory.Server sslContextFactory(
            java.util.Optional<TlsSettings> tls, DriverTrust driverTrust) {
        try {
            return tls.isEmpty()
                    ? null
                    : tls.get()
                            .contextFactory(
                                    driverTrust.driverCertificate().stream().toList());
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("Invalid HTTPS configuration: " + e.getMessage(), e);
        }
    }

    public static String version() {
        try (InputStream in = JobServer.class.getResourceAsStream("/jobserver-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
