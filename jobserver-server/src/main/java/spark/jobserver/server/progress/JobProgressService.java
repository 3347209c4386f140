package spark.jobserver.server.progress;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.contexts.ContextEvents;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobListener;

/**
 * Keeps how far each job's Spark work is: the latest report its driver sent, in memory while the job
 * runs; at its end, that report is stored with the job (and pruned with it), and forgotten here. A job
 * that ends because its driver died keeps the last report it had.
 */
public final class JobProgressService implements ContextEvents, JobListener {
    /** How many ended jobs are remembered, so that a report arriving after its job's end is stored, not kept. */
    private static final int RECENTLY_ENDED = 1024;

    private final JobProgressStore store;
    private final ConcurrentMap<String, Live> live = new ConcurrentHashMap<>();
    private final Set<String> recentlyEnded =
            Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENTLY_ENDED;
                }
            }));

    private record Live(String contextId, ProgressReport report) {}

    public JobProgressService(JobProgressStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The job's latest report: the live one while it runs, the stored one after; empty when there is none. */
    public Optional<ProgressReport> report(String jobId) {
        Live now = live.get(jobId);
        return now != null ? Optional.of(now.report()) : store.get(jobId);
    }

    /** How many running jobs have a report in memory. */
    int liveCount() {
        return live.size();
    }

    @Override
    public void jobProgress(ContextInfo context, Message.JobProgress progress) {
        String jobId = progress.jobId();
        if (recentlyEnded.contains(jobId)) {
            // A killed job's driver sends its last picture after the server recorded the kill.
            store.save(jobId, progress.progress());
            return;
        }
        Live now = new Live(context.id(), progress.progress());
        live.put(jobId, now);
        if (recentlyEnded.contains(jobId) && live.remove(jobId, now)) {
            // ended meanwhile (a kill, on an HTTP thread): this report is the newer one
            store.save(jobId, now.report());
        }
    }

    @Override
    public void jobEnded(JobInfo job, boolean adhoc) {
        String jobId = job.jobId();
        recentlyEnded.add(jobId);
        Live last = live.get(jobId);
        if (last != null) {
            // stored before it leaves memory, so that a reader always finds one or the other
            store.save(jobId, last.report());
            live.remove(jobId, last);
        }
    }

    @Override
    public void contextEnded(ContextInfo context, boolean stoppedByUser, ErrorInfo reason) {
        // The context's jobs have ended (and stored their reports) by now; what is left never started.
        live.values().removeIf(l -> l.contextId().equals(context.id()));
    }
}
