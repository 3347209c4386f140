package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import spark.jobserver.protocol.Message;

/**
 * The jobs this server follows in memory between their request and their end: what answers a POST
 * /jobs (the driver's first answer for async jobs, the end for sync ones) and what stops an ad-hoc
 * context after its job.
 */
final class JobTrackers {

    /** One job between its request and its end. */
    static final class Tracker {
        final JobInfo template;
        final CompletableFuture<Message.JobEvent> firstAnswer = new CompletableFuture<>();
        final CompletableFuture<JobInfo> done = new CompletableFuture<>();
        /** The row as inserted when the job started, so that its end needs no read of it; null before. */
        volatile JobInfo started;

        /** Whether the job's context is ad-hoc. */
        final boolean adhoc;

        Tracker(JobInfo template, boolean adhoc) {
            this.template = requireNonNull(template, "template is null");
            this.adhoc = adhoc;
        }
    }

    private final Map<String, Tracker> byJob = new ConcurrentHashMap<>();

    Tracker add(JobInfo template, boolean adhoc) {
        Tracker tracker = new Tracker(template, adhoc);
        byJob.put(template.jobId(), tracker);
        return tracker;
    }

    int size() {
        return byJob.size();
    }

    Optional<Tracker> get(String jobId) {
        return Optional.ofNullable(byJob.get(jobId));
    }

    Optional<Tracker> remove(String jobId) {
        return Optional.ofNullable(byJob.remove(jobId));
    }

    /** How many jobs of the context wait for the driver's first answer. */
    int waiting(String contextId) {
        int count = 0;
        for (Tracker tracker : byJob.values()) {
            if (contextId.equals(tracker.template.contextId()) && !tracker.firstAnswer.isDone()) {
                count++;
            }
        }
        return count;
    }

    /** Fails and forgets the trackers of a context's jobs (the context ended). */
    void failAll(String contextId, RuntimeException failure) {
        byJob.values().removeIf(tracker -> {
            if (!contextId.equals(tracker.template.contextId())) {
                return false;
            }
            tracker.firstAnswer.completeExceptionally(failure);
            tracker.done.completeExceptionally(failure);
            return true;
        });
    }
}
