package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.ThreadContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import py4j.ClientServer;
import spark.jobserver.protocol.JobLogTags;

/**
 * The Python interpreter of one context: started with the context, connected to this JVM through a Py4J
 * server of its own (as PySpark's shell connects to spark-submit's), and asked to load, validate and run
 * jobs through {@link PythonEntryPoint}. Its output goes to the driver's log. If it dies, the calls it
 * had fail with its exit code and last lines of stderr, and the next job starts a new one.
 */
final class PythonProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PythonProcess.class);
    private static final Logger pythonLog = LoggerFactory.getLogger("spark.jobserver.python.output");

    /** The worker's stderr lines that say why it cannot start. */
    private static final String PROBLEM_PREFIX = "sparkjobserver: ";

    private static final int STDERR_TAIL_LINES = 20;
    private static final long STOP_WAIT_MILLIS = 5_000;

    private final PythonSettings settings;
    private final PythonContextKind kind;
    private final String contextConfigJson;
    private final String contextName;
    private final Map<String, String> environment;
    /** The Spark objects Python wraps, once the context has them: the interpreter starts before. */
    private final CompletableFuture<PythonEntryPoint.Spark> spark = new CompletableFuture<>();

    private volatile long attachedNanos;

    private Running current; // guarded by this
    private boolean closed; // guarded by this

    /** One interpreter and its Py4J server. */
    private record Running(
            Process process, ClientServer server, PythonEntryPoint entry, OutputPump stderr, long startedNanos) {}

    /**
     * @param environment the driver's environment, which the interpreter inherits
     */
    PythonProcess(
            PythonSettings settings,
            PythonContextKind kind,
            String contextConfigJson,
            String contextName,
            Map<String, String> environment) {
        this.settings = requireNonNull(settings, "settings is null");
        this.kind = requireNonNull(kind, "kind is null");
        this.contextConfigJson = requireNonNull(contextConfigJson, "contextConfigJson is null");
        this.contextName = requireNonNull(contextName, "contextName is null");
        this.environment = Map.copyOf(environment);
    }

    /**
     * Starts the interpreter without waiting for it: it imports what it needs while the Spark context is
     * made, then waits for {@link #attach}.
     *
     * @throws PythonUnavailableException when the interpreter cannot be run at all
     */
    synchronized void begin() {
        if (current == null) {
            current = spawn();
        }
    }

    /** The Spark objects the interpreter wraps: the context's, now made. */
    void attach(JavaSparkContext jsc, SparkSession session) {
        attachedNanos = System.nanoTime();
        spark.complete(new PythonEntryPoint.Spark(jsc, session));
    }

    /**
     * Waits until the interpreter is ready, starting it if it does not run.
     *
     * @throws PythonUnavailableException naming what is missing or what went wrong
     */
    synchronized void awaitReady() throws InterruptedException {
        if (closed) {
            throw stopping();
        }
        if (current == null) {
            current = spawn();
        }
        // the one begun, even if it has ended already: its stderr says why
        awaitReady(current);
    }

    /**
     * Hands {@code call} to Python and waits for its answer (a JSON object).
     *
     * @throws PythonUnavailableException when the interpreter cannot be started or dies first
     */
    String call(PythonCall call) throws InterruptedException {
        Running running;
        synchronized (this) {
            running = running();
        }
        try {
            return running.entry().submit(call).get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PythonUnavailableException unavailable) {
                throw unavailable;
            }
            throw new PythonUnavailableException("Python failed to answer: " + cause, cause);
        }
    }

    /**
     * Hands {@code call} to the interpreter that runs now, if one does, and waits for its answer; never
     * starts one (what the call is about went with the last one).
     *
     * @return the answer, or null when no interpreter runs
     */
    String callIfRunning(PythonCall call) throws InterruptedException {
        Running running;
        synchronized (this) {
            running = current != null && current.process().isAlive() ? current : null;
        }
        if (running == null) {
            return null;
        }
        try {
            return running.entry().submit(call).get();
        } catch (ExecutionException e) {
            return null; // it ended meanwhile
        }
    }

    /** Tells the interpreter to stop, then ends it if it does not within 5 s. */
    @Override
    public void close() {
        Running running;
        synchronized (this) {
            closed = true;
            running = current;
            current = null;
        }
        // an interpreter still waiting for the Spark context need not wait any longer
        spark.completeExceptionally(stopping());
        if (running != null) {
            stop(running, stopping());
        }
    }

    private Running running() throws InterruptedException {
        if (closed) {
            throw stopping();
        }
        if (current == null || !current.process().isAlive()) {
            if (current != null) {
                log.info("Starting a new Python process for context '{}': the last one ended", contextName);
            }
            current = spawn();
        }
        awaitReady(current); // at once, unless it is still starting
        return current;
    }

    private PythonUnavailableException stopping() {
        return new PythonUnavailableException("the context " + contextName + " is stopping");
    }

    /** Starts an interpreter and its Py4J server; does not wait for it. */
    private Running spawn() {
        String secret = secret();
        PythonEntryPoint entry = new PythonEntryPoint(kind, spark, settings.startTimeout(), contextConfigJson);
        ClientServer server = new ClientServer.ClientServerBuilder(entry)
                .javaPort(0)
                .javaAddress(InetAddress.getLoopbackAddress())
                .authToken(secret)
                .autoStartJavaServer(false)
                .build();
        server.startServer(true);
        int port = server.getJavaServer().getListeningPort();

        List<String> command = List.of(settings.executable(), "-m", "sparkjobserver.worker");
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment);
        // Classic PySpark over our gateway, never Spark Connect.
        env.remove("SPARK_REMOTE");
        env.remove("SPARK_CONNECT_MODE_ENABLED");
        env.put("PYTHONPATH", settings.pythonPath());
        env.put("PYSPARK_GATEWAY_PORT", Integer.toString(port));
        env.put("PYSPARK_GATEWAY_SECRET", secret);
        // The executors' Python workers run the same interpreter (SparkContext.pythonExec).
        env.put("PYSPARK_PYTHON", settings.executable());
        env.put("JOBSERVER_SPARK_VERSION", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        env.put("PYTHONUNBUFFERED", "1");
        Process process;
        long startedNanos = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            server.shutdown();
            throw new PythonUnavailableException(
                    "The Python interpreter '" + settings.executable() + "' (" + PythonSettings.EXECUTABLE
                            + ") cannot be started: " + e.getMessage(),
                    e);
        }
        try {
            process.getOutputStream().close(); // the worker reads nothing from stdin
        } catch (IOException e) {
            log.debug("Closing the Python process's stdin failed", e);
        }
        OutputPump stdout = new OutputPump(process.getInputStream(), "stdout", 0);
        OutputPump stderr = new OutputPump(process.getErrorStream(), "stderr", STDERR_TAIL_LINES);
        stdout.start();
        stderr.start();
        Running running = new Running(process, server, entry, stderr, startedNanos);
        process.onExit().thenRun(() -> ended(running));
        return running;
    }

    /** Waits until {@code running} is ready; stops it and says why when it cannot be. */
    private void awaitReady(Running running) throws InterruptedException {
        CompletableFuture<String> ready = running.entry().ready();
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            return;
        }
        long waiting = System.nanoTime();
        try {
            String description =
                    running.entry().ready().get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
            long now = System.nanoTime();
            // What the interpreter took of its own: starting, importing and connecting, then wrapping the
            // context once it existed (a context's start overlaps the first part with making Spark).
            long asked =
                    running.entry().askedNanos() == 0 ? now : running.entry().askedNanos();
            long own = (asked - running.startedNanos()) + (now - Math.max(asked, attachedNanos));
            log.info(
                    "Python of context '{}' is ready in {} ms of its own ({} ms waited for it): {}, PYTHONPATH={}",
                    contextName,
                    TimeUnit.NANOSECONDS.toMillis(own),
                    TimeUnit.NANOSECONDS.toMillis(now - waiting),
                    description,
                    settings.pythonPath());
        } catch (ExecutionException | TimeoutException e) {
            stop(running, new PythonUnavailableException("the Python process did not start"));
            throw new PythonUnavailableException(startFailure(running, e), e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            stop(running, new PythonUnavailableException("interrupted while Python started"));
            throw e;
        }
    }

    /** Why the interpreter did not start, in words a user can act on. */
    private String startFailure(Running running, Exception e) throws InterruptedException {
        running.process().waitFor(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        running.stderr().join(1_000);
        List<String> tail = running.stderr().tail();
        if (e instanceof TimeoutException) {
            return "The Python process (" + settings.executable() + ") did not connect within "
                    + settings.startTimeout().toSeconds() + " s (" + PythonSettings.START_TIMEOUT + ")"
                    + lastLines(tail);
        }
        // The worker names what it misses on one line of stderr before it exits.
        String problem = tail.stream()
                .filter(line -> line.startsWith(PROBLEM_PREFIX))
                .map(line -> line.substring(PROBLEM_PREFIX.length()))
                .reduce((first, last) -> last)
                .orElse(e.getCause() != null ? e.getCause().getMessage() : String.valueOf(e));
        return "Python context failed to start: " + problem;
    }

    private static String lastLines(List<String> tail) {
        return tail.isEmpty() ? "" : "; its last lines of stderr:\n" + String.join("\n", tail);
    }

    /** The interpreter ended: whatever it was asked fails, saying why. */
    private void ended(Running running) {
        int code = running.process().exitValue();
        try {
            running.stderr().join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String message = "The Python process of context " + contextName + " exited with code " + code
                + lastLines(running.stderr().tail());
        // First, without the lock: a start waiting for this process to be ready holds it.
        running.entry().close(new PythonUnavailableException(message));
        running.server().shutdown();
        boolean expected;
        synchronized (this) {
            // current stays: the next call sees it ended and starts another
            expected = closed || current != running;
        }
        if (!expected) {
            log.warn("{}", message);
        }
    }

    private void stop(Running running, PythonUnavailableException reason) {
        running.entry().close(reason); // the worker's take() answers "stop"
        Process process = running.process();
        try {
            if (!process.waitFor(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                log.warn("The Python process of context '{}' did not stop within 5 s; killing it", contextName);
                process.destroyForcibly();
                process.waitFor(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            running.server().shutdown();
        }
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Copies one output of the interpreter into the driver's log, keeping the last lines. */
    private final class OutputPump extends Thread {
        private final InputStream in;
        private final String stream;
        private final int keep;
        private final Deque<String> tail = new ArrayDeque<>();

        OutputPump(InputStream in, String stream, int keep) {
            super("jobserver-python-" + stream);
            setDaemon(true);
            this.in = in;
            this.stream = stream;
            this.keep = keep;
        }

        @Override
        public void run() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    log(line);
                    if (keep > 0) {
                        synchronized (tail) {
                            tail.addLast(line);
                            if (tail.size() > keep) {
                                tail.removeFirst();
                            }
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                log.debug("Reading the Python process's {} ended", stream, e);
            }
        }

        /** A line the worker tagged with its job is logged with the job in the MDC, so the layout tags it. */
        private void log(String line) {
            String jobId = JobLogTags.jobOf(line);
            if (jobId == null) {
                pythonLog.info("[{} {}] {}", contextName, stream, line);
                return;
            }
            ThreadContext.put(JobLogTags.MDC_KEY, jobId);
            try {
                pythonLog.info(
                        "[{} {}] {}",
                        contextName,
                        stream,
                        line.substring(JobLogTags.prefix(jobId).length()));
            } finally {
                ThreadContext.remove(JobLogTags.MDC_KEY);
            }
        }

        List<String> tail() {
            synchronized (tail) {
                return new ArrayList<>(tail);
            }
        }
    }
}
