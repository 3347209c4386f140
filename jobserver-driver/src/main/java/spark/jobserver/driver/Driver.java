package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.streaming.StreamingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.ContextLike;
import spark.jobserver.common.Lazy;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Rejection;

/**
 * One context's driver, from the first connection to the exit code: connects to the server, creates
 * the Spark context through the configured factory, runs jobs until told to stop (or until the server
 * stays away longer than the grace period), then stops the context. Wires its parts with {@code new}.
 */
final class Driver {
    private static final Logger log = LoggerFactory.getLogger(Driver.class);

    static final int EXIT_STOPPED = 0;
    static final int EXIT_CONTEXT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_SERVER_LOST = 3;

    private static final Duration HTTP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(10);
    /** How often a driver that ships its log sends what it logged. */
    private static final Duration SHIP_INTERVAL = Duration.ofSeconds(1);

    private final DriverConfig config;
    private final String secret;
    private final Supplier<SparkConf> sparkConf;
    private final Clock clock;
    private final DriverLogging logging;
    private final LogShipper shipper;
    /** This driver JVM's id: the server tells a restarted driver (supervise) from a reconnecting one by it. */
    private final String incarnation = java.util.UUID.randomUUID().toString();

    /** Completed with the exit code by whatever ends the driver: StopContext, giving up on the server. */
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    private final AtomicBoolean contextStopped = new AtomicBoolean();
    private final AtomicBoolean stoppingOnItsOwn = new AtomicBoolean();
    private volatile ContextLike context;
    private volatile JobManager jobs;
    private volatile DriverNamedObjects namedObjects;
    private volatile NamedObjectDescriptions descriptions;
    private ServerConnection connection;
    private ExecutorService httpThreads;
    /** The client for {@code http(s):} dependencies: follows redirects, never carries the driver's credentials. */
    private Lazy<HttpClient> externalClient;

    /**
     * @param secret the context's secret; never logged
     * @param sparkConf makes the Spark configuration ({@code new SparkConf()} under SparkSubmit, which
     *     passes the context's settings as system properties)
     */
    Driver(DriverConfig config, String secret, Supplier<SparkConf> sparkConf, Clock clock) {
        this(config, secret, sparkConf, clock, null);
    }

    /** @param logging the driver's log tagging and shipping ({@link DriverLogging}); null for none (tests) */
    Driver(DriverConfig config, String secret, Supplier<SparkConf> sparkConf, Clock clock, DriverLogging logging) {
        this.logging = logging;
        this.shipper = logging == null ? null : logging.shipper();
        this.config = requireNonNull(config, "config is null");
        this.secret = requireNonNull(secret, "secret is null");
        this.sparkConf = requireNonNull(sparkConf, "sparkConf is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Runs the driver; returns the process exit code. */
    int run() {
        String name = config.contextName();
        log.info("Driver of context '{}' ({}) starting; server {}", name, config.contextId(), config.serverWsUrl());
        // The parent is the loader SparkSubmit made for the driver (it holds --jars), else ours.
        ClassLoader startLoader = Thread.currentThread().getContextClassLoader();
        ContextClassLoader loader =
                new ContextClassLoader(startLoader != null ? startLoader : Driver.class.getClassLoader());
        // With HTTPS, the launcher's environment names the server certificate to trust (and a client
        // certificate). Read before any thread exists: a bad setting fails the start.
        HttpClient.Builder serverClientBuilder = DriverTls.configure(HttpClient.newBuilder(), System.getenv());
        httpThreads = Executors.newCachedThreadPool(NamedThreads.daemon("jobserver-http"));
        ScheduledExecutorService heartbeats =
                Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("jobserver-heartbeat"));
        ScheduledExecutorService progressTicks =
                Executors.newSingleThreadScheduledExecutor(NamedThreads.daemon("jobserver-progress"));
        // Spark has its own hook for the SparkContext; this one also covers what a custom ContextLike holds.
        Thread shutdownHook = NamedThreads.daemon("jobserver-shutdown-hook").newThread(this::stopContext);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        int code = EXIT_STOPPED;
        try {
            externalClient = Lazy.of(() -> HttpClient.newBuilder()
                    .executor(httpThreads)
                    .connectTimeout(HTTP_CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build());
            // No redirects for the server: its answers are final, and the auth header must not travel elsewhere.
            HttpClient serverClient = serverClientBuilder
                    .executor(httpThreads)
                    .connectTimeout(HTTP_CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            connection = new ServerConnection(
                    config.serverWsUrl(),
                    config.contextId(),
                    secret,
                    serverClient,
                    config.reconnectGracePeriod(),
                    new ConnectionListener(),
                    this::runningJobIds,
                    clock);
            // Files come from (and results go to) the server the driver is attached to at the time.
            ServerFiles serverFiles =
                    new ServerFiles(serverClient, connection::serverHttpUrl, config.contextId(), secret);
            connection.start();
            if (shipper != null) {
                heartbeats.scheduleWithFixedDelay(this::shipLog, 0, SHIP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            }
            try {
                CompletableFuture.anyOf(connection.firstConnection(), exit).join();
            } catch (CompletionException e) {
                exit.complete(EXIT_SERVER_LOST); // the connector gave up and said why
            }
            if (exit.isDone()) {
                code = exit.join();
                return code;
            }

            // Threads Spark starts from here inherit the context loader, so Spark finds job classes too.
            Thread.currentThread().setContextClassLoader(loader);
            BinaryCache binaries = new BinaryCache(config.binaryCacheDir(), serverFiles, externalClient);
            JobClassPath classPath = new JobClassPath(loader, binaries);
            SparkContextFactory factory;
            ContextLike created;
            try {
                config.stopContextOnJobError(false); // a bad value fails the start, not the first failed job
                // Before the context: a custom factory may come from one of the context's own binaries.
                classPath.addForContext(config.contextBinaries());
                factory = loadFactory(loader);
                created = createContext(factory);
                if (logging != null) {
                    logging.afterSparkStarted();
                }
            } catch (Throwable t) {
                log.error("Creating the Spark context of '{}' failed", name, t);
                connection.send(new Message.ContextInitFailed(ErrorInfo.of(t)));
                code = EXIT_CONTEXT_FAILED;
                return code;
            }
            context = created;
            SparkContext sc = created.sparkContext();
            classPath.attachSpark(sc::addJar);
            // A streaming context cannot be restarted once a job failed it, hence the original's default.
            boolean stopOnJobError = config.stopContextOnJobError(isStreaming(created));
            DriverNamedObjects named = new DriverNamedObjects(config.namedObjectCreationTimeout(), clock);
            Duration progressInterval = config.progressInterval();
            // A job's end waits for Spark's listener bus at most one interval: a report may lag by as much.
            ProgressReporter progress = progressInterval.isZero() ? null : attachProgress(sc, progressInterval);
            descriptions = new NamedObjectDescriptions(sc);
            namedObjects = named;
            jobs = new JobManager(
                    factory,
                    created,
                    name,
                    config.maxJobs(),
                    config.contextSettings(),
                    config.jobConfigFallback(),
                    classPath,
                    named,
                    new DataFiles(config.dataCacheDir(), serverFiles),
                    progress == null ? connection::send : progress.withFinalReports(connection::send, connection::send),
                    progress == null ? ProgressTracking.NONE : progress,
                    (jobId, stream) -> serverFiles.uploadToServer(
                            DriverLaunch.RESULT_PATH + ServerFiles.pathSegment(jobId), stream),
                    stopOnJobError ? this::stopAfterFailedJob : jobId -> {},
                    clock);
            if (exit.isDone()) {
                code = exit.join(); // stopped while the context was starting
                return code;
            }
            String uiUrl = sc.uiWebUrl().isDefined() ? sc.uiWebUrl().get() : null;
            connection.contextReady(new Message.ContextReady(sc.applicationId(), uiUrl, incarnation));
            long interval = config.heartbeatInterval().toMillis();
            heartbeats.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
            if (progress != null) {
                // Stale by the next connection: a report sent meanwhile would only be overtaken.
                long every = progressInterval.toMillis();
                AtomicBoolean wasConnected = new AtomicBoolean(true);
                progressTicks.scheduleWithFixedDelay(
                        () -> {
                            // a server that comes back (restarted) gets the whole picture at once
                            boolean connected = connection.isConnected();
                            boolean back = connected && !wasConnected.get();
                            wasConnected.set(connected);
                            progress.send(connection::sendIfConnected, back);
                        },
                        every,
                        every,
                        TimeUnit.MILLISECONDS);
            }
            log.info(
                    "Context '{}' is ready: Spark application {}{}",
                    name,
                    sc.applicationId(),
                    uiUrl == null ? "" : ", UI at " + uiUrl);

            code = exit.join();
            return code;
        } finally {
            progressTicks.shutdownNow();
            shutdown(code, heartbeats);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down; the hook runs and finds nothing left to stop.
            }
            log.info("Driver of context '{}' exits with code {}", name, code);
        }
    }

    /** Follows jobs' Spark work; without it (Spark refused the listener) jobs run and show no progress. */
    private ProgressReporter attachProgress(SparkContext sc, Duration interval) {
        try {
            return ProgressReporter.attach(sc, interval);
        } catch (RuntimeException | LinkageError e) {
            log.warn("Context '{}' reports no job progress: adding its Spark listener failed", config.contextName(), e);
            return null;
        }
    }

    /** Loads the factory through the context loader: a custom factory may come from the context's binaries. */
    private SparkContextFactory loadFactory(ClassLoader loader) throws Exception {
        String factoryName = config.contextFactory();
        Class<?> factoryClass;
        try {
            factoryClass = Class.forName(factoryName, true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("context-factory " + factoryName + " not found", e);
        }
        if (!SparkContextFactory.class.isAssignableFrom(factoryClass)) {
            throw new IllegalArgumentException(
                    "context-factory " + factoryName + " does not implement " + SparkContextFactory.class.getName());
        }
        return (SparkContextFactory) factoryClass.getConstructor().newInstance();
    }

    /** Makes the context through {@code factory}. */
    private ContextLike createContext(SparkContextFactory factory) {
        String factoryName = factory.getClass().getName();
        SparkConf conf = sparkConf.get();
        // SparkSubmit names the application after the main class unless told otherwise; the context's
        // name is what users look for in the Spark UI and the cluster manager.
        if (!conf.contains("spark.app.name") || conf.get("spark.app.name").equals(DriverLaunch.MAIN_CLASS)) {
            conf.setAppName(config.contextName());
        }
        log.info("Creating the Spark context of '{}' with {}", config.contextName(), factoryName);
        ContextLike created = factory.makeContext(conf, config.contextSettings(), config.contextName());
        return requireNonNull(created, () -> "context-factory " + factoryName + " returned no context");
    }

    @SuppressWarnings("deprecation") // DStreams are deprecated in Spark 4; the streaming factories are the original's
    private static boolean isStreaming(ContextLike context) {
        return context instanceof StreamingContext;
    }

    /** {@code stop-context-on-job-error}: tells the server the context ends on its own, then ends it. */
    private void stopAfterFailedJob(String jobId) {
        if (exit.isDone() || !stoppingOnItsOwn.compareAndSet(false, true)) {
            return;
        }
        String reason = "job " + jobId + " failed and stop-context-on-job-error is on";
        log.warn("Context '{}' stops: {}", config.contextName(), reason);
        JobManager j = jobs;
        if (j != null) {
            j.stopAccepting();
        }
        // Queued after the job's JobFailed, so the server hears of the failure first.
        connection.send(new Message.ContextStopping(reason));
        exit.complete(EXIT_STOPPED);
    }

    /** Sends the log lines waiting, while connected; they wait for the next connection otherwise. */
    private void shipLog() {
        ServerConnection c = connection;
        if (shipper == null || c == null) {
            return;
        }
        try {
            shipper.flush(batch -> {
                if (!c.isConnected()) {
                    return false;
                }
                c.sendIfConnected(batch);
                return true;
            });
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; and logging here would feed the buffer
            System.err.println("Shipping the driver's log failed: " + e);
        }
    }

    private void heartbeat() {
        try {
            connection.sendIfConnected(new Message.Heartbeat(clock.millis(), runningJobIds()));
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again.
            log.warn("Sending a heartbeat failed", e);
        }
    }

    private List<String> runningJobIds() {
        JobManager j = jobs;
        return j == null ? List.of() : j.runningJobIds();
    }

    /** Ends what {@link #run} started, whatever got started before it ended. */
    private void shutdown(int code, ScheduledExecutorService heartbeats) {
        heartbeats.shutdownNow();
        JobManager j = jobs;
        ServerConnection c = connection;
        try {
            if (j != null) {
                // Every running job is KILLED and the server hears so before the socket closes.
                j.killAll();
            }
            if (c != null && (code == EXIT_STOPPED || code == EXIT_CONTEXT_FAILED)) {
                shipLog();
                try {
                    c.flush(FLUSH_TIMEOUT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stopContext();
            if (c != null) {
                shipLog();
                c.close(FLUSH_TIMEOUT);
            }
        } finally {
            if (j != null) {
                j.close();
            }
            httpThreads.shutdownNow();
        }
    }

    private void stopContext() {
        ContextLike c = context;
        if (c == null || !contextStopped.compareAndSet(false, true)) {
            return;
        }
        log.info("Stopping the Spark context of '{}'", config.contextName());
        try {
            c.stop();
        } catch (Throwable t) {
            log.warn("Stopping the Spark context of '{}' failed", config.contextName(), t);
        }
    }

    /** Answers off the WebSocket's thread: Spark's cache manager may wait for a lock a caching job holds. */
    private void listNamedObjects(String requestId) {
        DriverNamedObjects named = namedObjects;
        NamedObjectDescriptions described = descriptions;
        if (named == null || described == null) {
            connection.send(new Message.NamedObjectsListed(
                    requestId,
                    List.of(),
                    ErrorInfo.of(
                            "Context '" + config.contextName() + "' is not ready yet",
                            IllegalStateException.class.getName())));
            return;
        }
        try {
            httpThreads.execute(() -> {
                Message.NamedObjectsListed answer;
                try {
                    answer = new Message.NamedObjectsListed(requestId, described.describe(named.stored()), null);
                } catch (Throwable t) {
                    log.warn("Listing the named objects of '{}' failed", config.contextName(), t);
                    answer = new Message.NamedObjectsListed(requestId, List.of(), ErrorInfo.of(t));
                }
                connection.send(answer);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the server's request times out or sees the context end
        }
    }

    /** Messages from the server, on the WebSocket's thread. */
    private final class ConnectionListener implements ServerConnection.Listener {

        @Override
        public void onMessage(Message.ToDriver message) {
            JobManager j = jobs;
            if (message instanceof Message.StartJob start) {
                if (j == null) {
                    if (exit.isDone()) {
                        connection.send(JobManager.contextStopping(start.jobId()));
                    } else {
                        connection.send(new Message.JobRejected(
                                start.jobId(),
                                Rejection.LOADING_FAILED,
                                ErrorInfo.of(
                                        "Context '" + config.contextName() + "' is not ready yet",
                                        IllegalStateException.class.getName())));
                    }
                    return;
                }
                j.start(start);
            } else if (message instanceof Message.KillJob kill) {
                if (j == null) {
                    log.info("Job {}: kill ignored, context '{}' runs no jobs yet", kill.jobId(), config.contextName());
                    return;
                }
                j.kill(kill.jobId());
            } else if (message instanceof Message.ListNamedObjects list) {
                listNamedObjects(list.requestId());
            } else if (message instanceof Message.StopContext) {
                log.info("The server asks context '{}' to stop", config.contextName());
                if (j != null) {
                    j.stopAccepting();
                }
                exit.complete(EXIT_STOPPED);
            } else {
                log.warn(
                        "Ignoring unexpected {} from the server",
                        message.getClass().getSimpleName());
            }
        }

        @Override
        public void onGiveUp(String reason) {
            log.error("Context '{}' stops: {}", config.contextName(), reason);
            exit.complete(EXIT_SERVER_LOST);
        }
    }
}
