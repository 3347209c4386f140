package spark.jobserver.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/**
 * A job as {@code GET /jobs/<id>} and {@code GET /jobs} show it, and the reply to an async {@code POST /jobs}.
 *
 * @param status STARTED (only in the reply to an async POST), RUNNING, FINISHED, ERROR, KILLED or RESTARTING
 * @param duration {@code 6.341 secs}, or {@code Job not done yet}
 * @param result FINISHED: the job's result (absent from lists and events); ERROR, KILLED: the exception map;
 *     else null
 */
public record JobReport(
        String jobId,
        String startTime,
        String classPath,
        String context,
        String contextId,
        String duration,
        String status,
        JsonNode result) {
    private static final Set<String> TERMINAL = Set.of("FINISHED", "ERROR", "KILLED");

    /** Whether the job has ended (FINISHED, ERROR or KILLED). */
    public boolean isDone() {
        return TERMINAL.contains(status);
    }

    /** Whether the job ended without its result (ERROR or KILLED). */
    public boolean isFailed() {
        return "ERROR".equals(status) || "KILLED".equals(status);
    }

    /** The error of an ERROR or KILLED job. */
    public Optional<ErrorInfo> error() {
        return isFailed() ? Optional.of(Json.errorInfo(result)) : Optional.empty();
    }
}
