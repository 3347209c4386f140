package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * What the Python process of a context sees of its driver through Py4J ({@code gateway.entry_point}):
 * the Spark objects to wrap, and the queue of calls to answer. One per Python process. Public for Py4J
 * only; see {@code sparkjobserver/worker.py} for the other side.
 */
public final class PythonEntryPoint {
    /** The Spark objects Python wraps. */
    record Spark(JavaSparkContext jsc, SparkSession session) {
        Spark {
            requireNonNull(jsc, "jsc is null");
        }
    }

    private final PythonContextKind kind;
    private final CompletableFuture<Spark> spark;
    private final Duration sparkTimeout;
    private final String contextConfigJson;

    private final BlockingQueue<PythonCall> calls = new LinkedBlockingQueue<>();
    /** Calls queued or handed over and not yet answered, by id: to answer them, or fail them if the process dies. */
    private final Map<Long, PythonCall> pending = new ConcurrentHashMap<>();

    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private volatile Throwable closedBecause;
    /** When Python first asked for the Spark objects: it had started, imported pyspark and connected. */
    private volatile long askedNanos;

    /**
     * @param spark completed once the context's Spark objects exist: Python may connect before, and its
     *     first questions wait for them (at most {@code sparkTimeout})
     */
    PythonEntryPoint(
            PythonContextKind kind, CompletableFuture<Spark> spark, Duration sparkTimeout, String contextConfigJson) {
        this.kind = requireNonNull(kind, "kind is null");
        this.spark = requireNonNull(spark, "spark is null");
        this.sparkTimeout = requireNonNull(sparkTimeout, "sparkTimeout is null");
        this.contextConfigJson = requireNonNull(contextConfigJson, "contextConfigJson is null");
    }

    // ------------------------------------------------------------------ called by Python

    /** {@code session} (the job's context is a SparkSession) or {@code context} (a SparkContext). */
    public String contextKind() {
        return kind.wireName();
    }

    /** The context's JavaSparkContext, once it exists. */
    public JavaSparkContext javaSparkContext() throws Exception {
        return spark().jsc();
    }

    /** The context's session, once it exists; null for a SparkContext context. */
    public SparkSession sparkSession() throws Exception {
        SparkSession session = spark().session();
        if (kind == PythonContextKind.SESSION && session == null) {
            throw new IllegalStateException("a session context without a session");
        }
        return session;
    }

    private Spark spark() throws Exception {
        if (askedNanos == 0) {
            askedNanos = System.nanoTime();
        }
        try {
            return spark.get(sparkTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Spark context was not made: " + e.getCause(), e.getCause());
        }
    }

    /** The context's settings as JSON: the {@code contextConfig} of every job's runtime. */
    public String contextConfig() {
        return contextConfigJson;
    }

    /** Python is connected and has wrapped the context; {@code description} names its interpreter. */
    public void ready(String description) {
        ready.complete(description);
    }

    /** Python could not set itself up. */
    public void startFailed(String message) {
        ready.completeExceptionally(new PythonUnavailableException(message));
    }

    /**
     * The next call to answer, as JSON ({@code {id, kind, jobId, ...}}), waiting up to {@code timeoutMillis};
     * null when none came, {@code {"kind":"stop"}} once the context stops.
     */
    public String take(long timeoutMillis) throws InterruptedException {
        if (closedBecause != null) {
            return PythonCall.STOP_JSON;
        }
        PythonCall call = calls.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        if (call == null) {
            return closedBecause != null ? PythonCall.STOP_JSON : null;
        }
        return call.toJson();
    }

    /** Python's answer to the call {@code callId}: a JSON object with an {@code outcome}. */
    public void answer(long callId, String answerJson) {
        PythonCall call = pending.get(callId);
        if (call != null) {
            call.complete(answerJson);
        }
    }

    // ------------------------------------------------------------------ driver side

    CompletableFuture<String> ready() {
        return ready;
    }

    /** {@link System#nanoTime} when Python first asked for the Spark objects; 0 if it has not. */
    long askedNanos() {
        return askedNanos;
    }

    /**
     * Queues {@code call} for Python; its answer completes the returned future, or an exception does when
     * the process goes away first.
     */
    CompletableFuture<String> submit(PythonCall call) {
        pending.put(call.id(), call);
        call.answer().whenComplete((answer, failure) -> pending.remove(call.id()));
        Throwable closed = closedBecause;
        if (closed != null) {
            call.fail(closed);
        } else {
            calls.add(call);
            // closed meanwhile: close() may have drained the queue before the call went in
            if (closedBecause != null && calls.remove(call)) {
                call.fail(closedBecause);
            }
        }
        return call.answer();
    }

    /** No call is handed out from now on; every call not answered yet fails with {@code reason}. */
    void close(Throwable reason) {
        requireNonNull(reason, "reason is null");
        closedBecause = reason;
        ready.completeExceptionally(reason);
        calls.clear();
        for (PythonCall call : List.copyOf(pending.values())) {
            call.fail(reason);
        }
    }
}
