package spark.jobserver.server.logs;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.contexts.ContextStore;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobService;

/**
 * Finds the log a request reads: a context's driver log (the running context of a name, else the newest
 * ended one, as long as the history keeps it), or the log of the context a job ran in.
 */
public final class LogService {
    /** Where the server writes the lines a driver ships, next to the driver's own output. */
    public static final String SHIPPED_LOG = "driver-shipped.log";

    private final ContextService contexts;
    private final ContextStore store;
    private final JobService jobs;

    public LogService(ContextService contexts, ContextStore store, JobService jobs) {
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.store = requireNonNull(store, "store is null");
        this.jobs = requireNonNull(jobs, "jobs is null");
    }

    /**
     * A log to read.
     *
     * @param file the log file
     * @param ended whether no more lines of interest will come (the context or the job has ended)
     */
    record Source(Path file, BooleanSupplier ended) {}

    /** @throws ApiException 404 for an unknown context or one without a log */
    Source context(String name) {
        ContextInfo context = contexts.get(name);
        if (!context.state().isTerminal()) {
            contexts.requireHere(context.id(), name); // a live context's log is served by its server
        }
        Path file = file(context).orElseThrow(() -> ApiException.error(404, "context " + name + " has no driver log"));
        String id = context.id();
        return new Source(file, () -> contexts.live(id).isEmpty());
    }

    /** @throws ApiException 404 for an unknown job or one whose context's log is gone */
    Source job(String jobId) {
        JobInfo job = jobs.get(jobId);
        jobs.requireContextHere(job);
        String contextId = job.contextId();
        Path file = (contextId == null ? java.util.Optional.<ContextInfo>empty() : store.get(contextId))
                .flatMap(LogService::file)
                .orElseThrow(() -> ApiException.error(404, "the driver log of job " + jobId + " is gone"));
        return new Source(
                file,
                () -> contexts.live(contextId).isEmpty()
                        || jobs.get(jobId).status().isTerminal());
    }

    /** The shipped log when the driver ships one, else the driver's output; empty when neither exists. */
    static java.util.Optional<Path> file(ContextInfo context) {
        if (context.logPath() == null) {
            return java.util.Optional.empty();
        }
        Path output = Path.of(context.logPath());
        Path shipped = output.resolveSibling(SHIPPED_LOG);
        if (Files.isRegularFile(shipped)) {
            return java.util.Optional.of(shipped);
        }
        return Files.isRegularFile(output) ? java.util.Optional.of(output) : java.util.Optional.empty();
    }
}
