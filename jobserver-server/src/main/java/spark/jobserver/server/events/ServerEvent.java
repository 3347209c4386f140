package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event of the stream, as kept in the window.
 *
 * @param id unique across the server's starts, increasing
 * @param type {@code job}, {@code context} or {@code progress}
 * @param contextName the stored name of the context it is about (a job's context for job and progress
 *     events); null when not known
 * @param jobId the job it is about; null for context events
 * @param data the event's JSON object, as the matching GET route shows it
 * @param json {@code data} rendered once, on one line
 */
record ServerEvent(long id, String type, String contextName, String jobId, Map<String, Object> data, String json) {
    static final String JOB = "job";
    static final String CONTEXT = "context";
    static final String PROGRESS = "progress";
    static final String RESET = "reset";

    ServerEvent {
        requireNonNull(type, "type is null");
        requireNonNull(data, "data is null");
        requireNonNull(json, "json is null");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data)); // ordered as rendered; values may be null
    }
}
