package spark.jobserver.client;

import java.util.ArrayList;
import java.util.List;

/** What {@link JobServerClient#events(EventQuery)} follows: filters, progress, and where to resume. */
public final class EventQuery {
    private final List<String> contexts = new ArrayList<>();
    private final List<String> jobs = new ArrayList<>();
    private boolean progress;
    private String lastEventId;

    public static EventQuery all() {
        return new EventQuery();
    }

    /** The events of this context and its jobs; may be given several times. */
    public EventQuery context(String name) {
        contexts.add(name);
        return this;
    }

    /** The events of this job; may be given several times. */
    public EventQuery job(String jobId) {
        jobs.add(jobId);
        return this;
    }

    /** Also the progress of running jobs. */
    public EventQuery progress(boolean progress) {
        this.progress = progress;
        return this;
    }

    /** Resume after this event id (sent as {@code Last-Event-ID}). */
    public EventQuery lastEventId(String id) {
        this.lastEventId = id;
        return this;
    }

    Query query() {
        Query query = new Query();
        contexts.forEach(c -> query.add("context", c));
        jobs.forEach(j -> query.add("job", j));
        if (progress) {
            query.add("progress", "true");
        }
        return query;
    }

    String lastEventId() {
        return lastEventId;
    }
}
