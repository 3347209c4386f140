package spark.jobserver.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event of {@code GET /events}.
 *
 * @param id the event's id, to resume from ({@link EventQuery#lastEventId(String)})
 * @param type {@code context}, {@code job}, {@code progress} or {@code reset}
 * @param data the event's JSON: a context as {@link ContextInfo}, a job as {@link JobReport}, a
 *     {@link JobProgress}; read it with {@link #as(Class)}
 */
public record ServerEvent(String id, String type, JsonNode data) {
    public <T> T as(Class<T> type) {
        return Json.convert(data, type);
    }
}
