package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.logging.log4j.ThreadContext;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.ContextLike;
import spark.jobserver.NamedObjects;
import spark.jobserver.api.DataFileCache;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.JobLogTags;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.Rejection;
import spark.jobserver.python.PythonJob;

/**
 * Runs the jobs of one context: at most {@code maxJobs} at once, each on a thread of its own pool
 * ({@code jobserver-job-N}) with the context class loader, each through its own {@link JobRun} state
 * machine, so that every job produces exactly one outcome event. A job that returns an
 * {@link InputStream} (or, as in the original, a Scala {@code Stream} of bytes) has its bytes sent
 * through {@link ResultStreams} before it is reported finished.
 */
final class JobManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobManager.class);

    /** Spark's cancellation message names the reason; the server's own KILLED message is separate. */
    private static final String KILL_REASON = "killed through the job server";

    /** The factory that made {@link #context}: it decides which jobs the context runs. */
    private final SparkContextFactory factory;

    private final ContextLike context;
    private final String contextName;
    private final int maxJobs;
    private final Config contextSettings;
    private final Config jobConfigFallback;
    private final JobClassPath classPath;
    private final JobLoader jobLoader = new JobLoader();
    private final NamedObjects namedObjects;
    private final DataFileCache dataFiles;
    private final JobEvents events;
    private final ProgressTracking progress;
    private final ResultStreams resultStreams;
    private final Consumer<String> afterFailure;
    private final Clock clock;
    /** The largest JSON result that fits a frame to the server. */
    private final long maxResultBytes;

    private final ExecutorService pool;
    /** The jobs not yet in a terminal state; a job leaves the map when it reaches one. */
    private final ConcurrentMap<String, JobRun> jobs = new ConcurrentHashMap<>();

    private boolean stopping; // guarded by this

    /**
     * @param factory the factory that made {@code context}: its {@code isValidJob} admits jobs
     * @param afterFailure told the id of every job that failed (threw), after its {@code JobFailed} was
     *     published; not told of rejected, invalid or killed jobs
     * @param progress told when each job begins and ends, to follow its Spark work
     */
    JobManager(
            SparkContextFactory factory,
            ContextLike context,
            String contextName,
            int maxJobs,
            Config contextSettings,
            Config jobConfigFallback,
            JobClassPath classPath,
            NamedObjects namedObjects,
            DataFileCache dataFiles,
            JobEvents events,
            ProgressTracking progress,
            ResultStreams resultStreams,
            Consumer<String> afterFailure,
            Clock clock) {
        this.factory = requireNonNull(factory, "factory is null");
        this.context = requireNonNull(context, "context is null");
        this.contextName = requireNonNull(contextName, "contextName is null");
        if (maxJobs < 1) {
            throw new IllegalArgumentException("maxJobs must be at least 1");
        }
        this.maxJobs = maxJobs;
        this.contextSettings = requireNonNull(contextSettings, "contextSettings is null");
        this.jobConfigFallback = requireNonNull(jobConfigFallback, "jobConfigFallback is null");
        this.maxResultBytes = ResultSizeLimit.from(jobConfigFallback);
        this.classPath = requireNonNull(classPath, "classPath is null");
        this.namedObjects = requireNonNull(namedObjects, "namedObjects is null");
        this.dataFiles = requireNonNull(dataFiles, "dataFiles is null");
        this.events = requireNonNull(events, "events is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.resultStreams = requireNonNull(resultStreams, "resultStreams is null");
        this.afterFailure = requireNonNull(afterFailure, "afterFailure is null");
        this.clock = requireNonNull(clock, "clock is null");
        // The queue is unbounded although slots are counted: a killed job that ignores its interrupt keeps
        // its thread, and the next job then waits for a thread rather than being refused a slot it has.
        this.pool = new ThreadPoolExecutor(
                maxJobs,
                maxJobs,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(),
                NamedThreads.daemon("jobserver-job"));
    }

    /** Handles {@code StartJob}: answers at once when the job cannot start, otherwise queues it on the pool. */
    synchronized void start(Message.StartJob request) {
        String jobId = request.jobId();
        if (stopping) {
            log.info("Job {}: refused, context '{}' is stopping", jobId, contextName);
            events.publish(contextStopping(jobId));
            return;
        }
        if (jobs.containsKey(jobId)) {
            log.warn("Job {}: ignoring a second StartJob for a job that is already running", jobId);
            return;
        }
        if (activeCount() >= maxJobs) {
            String message = "Too many running jobs (" + maxJobs + ") for job context '" + contextName + "'";
            log.info("Job {}: refused: {}", jobId, message);
            events.publish(new Message.JobRejected(
                    jobId, Rejection.NO_SLOTS, ErrorInfo.of(message, RejectedExecutionException.class.getName())));
            return;
        }
        JobRun run = new JobRun(jobId, events, finished -> jobs.remove(finished.jobId(), finished));
        jobs.put(jobId, run);
        log.info("Job {}: starting {} in context '{}'", jobId, request.classPath(), contextName);
        try {
            run.attach(pool.submit(() -> execute(run, request)));
        } catch (RejectedExecutionException e) {
            // The pool is shut down: the context is going away.
            run.moveTo(JobState.REJECTED, contextStopping(jobId));
        }
    }

    /** The answer to a job that comes while the context stops. */
    static Message.JobRejected contextStopping(String jobId) {
        return new Message.JobRejected(
                jobId,
                Rejection.CONTEXT_STOPPING,
                ErrorInfo.of("Context stop in progress", IllegalStateException.class.getName()));
    }

    /** Handles {@code KillJob}: the job is KILLED at once, whatever its code does with the interrupt. */
    void kill(String jobId) {
        JobRun run = jobs.get(jobId);
        if (run == null) {
            log.info("Job {}: kill ignored, no such job is running in context '{}'", jobId, contextName);
            return;
        }
        if (!killRun(run)) {
            log.info("Job {}: kill ignored, the job has just ended", jobId);
        }
    }

    /** New jobs are refused from now on. */
    synchronized void stopAccepting() {
        stopping = true;
    }

    /** Refuses new jobs and kills every running one (each sends {@code JobKilled}). */
    void killAll() {
        stopAccepting();
        for (JobRun run : List.copyOf(jobs.values())) {
            killRun(run);
        }
    }

    /** The ids of the jobs that have not ended, for heartbeats. */
    List<String> runningJobIds() {
        return jobs.values().stream()
                .filter(r -> !r.state().isTerminal())
                .map(JobRun::jobId)
                .sorted()
                .toList();
    }

    /** Stops the job threads; jobs that ignore interrupts are abandoned (the threads are daemons). */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Some jobs of context '{}' did not stop within 5 s of being interrupted", contextName);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long activeCount() {
        return jobs.values().stream().filter(r -> !r.state().isTerminal()).count();
    }

    private boolean killRun(JobRun run) {
        String jobId = run.jobId();
        if (!run.moveTo(JobState.KILLED, new Message.JobKilled(jobId, clock.millis()))) {
            return false;
        }
        log.info("Job {}: killed", jobId);
        try {
            // Future jobs too: a job that ignores its interrupt must not get more work done on the cluster.
            context.sparkContext().cancelJobGroupAndFutureJobs(jobId, KILL_REASON);
        } catch (RuntimeException e) {
            log.warn("Job {}: cancelling its Spark jobs failed", jobId, e);
        }
        run.interrupt();
        return true;
    }

    /** Sends a job's result stream; always closes it. */
    private long upload(String jobId, InputStream stream) throws IOException, InterruptedException {
        try (InputStream in = stream) {
            return resultStreams.upload(jobId, in);
        } catch (IOException e) {
            throw new IOException(
                    "Uploading the result stream of job " + jobId + " to the server failed: " + e.getMessage(), e);
        }
    }

    /** Ends {@code run} from its own thread, once the job's Spark work is all seen (for its last progress report). */
    private boolean end(JobRun run, JobState state, Message.JobEvent event) {
        if (run.state().isTerminal()) {
            return false; // killed meanwhile: nothing to wait for
        }
        progress.beforeEnd(run.jobId(), state == JobState.FAILED || state == JobState.VALIDATION_FAILED);
        return run.moveTo(state, event);
    }

    /** The whole life of one job, on its pool thread. */
    private void execute(JobRun run, Message.StartJob request) {
        String jobId = run.jobId();
        // every line this thread logs or prints until the job ends says so (DriverLogging)
        ThreadContext.put(JobLogTags.MDC_KEY, jobId);
        Thread thread = Thread.currentThread();
        ClassLoader previousLoader = thread.getContextClassLoader();
        thread.setContextClassLoader(classPath.loader());
        SparkContext sc = context.sparkContext();
        boolean inJobGroup = false;
        Object job = null;
        try {
            try {
                List<Path> pyFiles = classPath.addAll(jobId, request.binaries());
                // An egg or a wheel makes a Python job; its class is Python's to find.
                job = pyFiles.isEmpty()
                        ? jobLoader.load(request.classPath(), classPath.loader())
                        : new PythonJob(request.classPath(), pyFiles);
                if (!JobStyles.admits(factory, job)) {
                    throw new JobRejectedException(
                            Rejection.INVALID_JOB_TYPE,
                            ErrorInfo.of(
                                    "Invalid job type for this context", IllegalArgumentException.class.getName()));
                }
                job = JobStyles.prepare(job, context, jobId);
            } catch (JobRejectedException e) {
                if (run.moveTo(JobState.REJECTED, new Message.JobRejected(jobId, e.reason(), e.error()))) {
                    log.warn("Job {}: rejected ({}): {}", jobId, e.reason(), e.getMessage());
                }
                return;
            }
            Config config = JobConfigs.merge(request.jobConfig(), jobConfigFallback);
            if (!run.moveTo(JobState.VALIDATING, null)) {
                return;
            }
            DriverJobEnvironment env = new DriverJobEnvironment(jobId, namedObjects, contextSettings, dataFiles);
            progress.jobBegins(jobId);
            // Before validation, so that a kill also cancels whatever Spark work validation starts.
            sc.setJobGroup(jobId, "jobserver job " + jobId, true);
            inJobGroup = true;
            JobStyles.Validated validated;
            try {
                validated = JobStyles.validate(job, context, env, config);
            } catch (Throwable t) {
                if (end(
                        run,
                        JobState.VALIDATION_FAILED,
                        new Message.JobValidationFailed(jobId, PythonJobException.errorOf(t)))) {
                    log.info("Job {}: validation threw", jobId, t);
                }
                return;
            }
            if (validated instanceof JobStyles.Invalid invalid) {
                if (end(run, JobState.VALIDATION_FAILED, new Message.JobValidationFailed(jobId, invalid.error()))) {
                    log.info(
                            "Job {}: validation failed: {}",
                            jobId,
                            invalid.error().message());
                }
                return;
            }
            JobStyles.Runner runner = ((JobStyles.Valid) validated).runner();
            if (!run.moveTo(JobState.RUNNING, new Message.JobStarted(jobId, clock.millis()))) {
                return;
            }
            Object result = runner.run();
            InputStream stream = result instanceof InputStream in ? in : ScalaByteStream.of(result);
            if (stream != null) {
                // A Scala Stream's head would keep every element read so far reachable.
                result = null;
                long size = upload(jobId, stream);
                if (end(run, JobState.FINISHED, new Message.JobStreamFinished(jobId, clock.millis(), size))) {
                    log.info("Job {}: finished, its result stream of {} bytes uploaded", jobId, size);
                }
                return;
            }
            JsonNode json = ResultJson.toJson(result);
            ErrorInfo tooLarge = ResultSizeLimit.check(json, maxResultBytes);
            if (tooLarge != null) {
                // Sent as it is, the frame would be refused and the connection to the server lost.
                if (end(run, JobState.FAILED, new Message.JobFailed(jobId, clock.millis(), tooLarge))) {
                    log.warn("Job {}: failed: {}", jobId, tooLarge.message());
                    afterFailure.accept(jobId);
                }
                return;
            }
            if (end(run, JobState.FINISHED, new Message.JobFinished(jobId, clock.millis(), json))) {
                log.info("Job {}: finished", jobId);
            }
        } catch (Throwable t) {
            // Errors included: a job that throws OutOfMemoryError or StackOverflowError fails alone, and the
            // driver and its other jobs carry on.
            if (end(
                    run,
                    JobState.FAILED,
                    new Message.JobFailed(jobId, clock.millis(), PythonJobException.errorOf(t)))) {
                log.warn("Job {}: failed", jobId, t);
                afterFailure.accept(jobId);
            } else {
                log.debug("Job {}: threw after it was killed", jobId, t);
            }
        } finally {
            JobStyles.release(job);
            if (inJobGroup) {
                sc.clearJobGroup();
                progress.forget(jobId);
            }
            thread.setContextClassLoader(previousLoader);
            ThreadContext.remove(JobLogTags.MDC_KEY);
        }
    }
}
