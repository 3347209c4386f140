package spark.jobserver.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The reply to a sync {@code POST /jobs}: the job's result, or, with {@code status} ERROR, its exception map.
 * A job that fails is not an exception of the client: the request succeeded.
 *
 * @param jobId null only for the stream result of the original's form
 * @param status null when the job finished; ERROR when it failed
 */
public record JobResult(String jobId, String status, JsonNode result) {
    public boolean isFailed() {
        return "ERROR".equals(status);
    }

    public Optional<ErrorInfo> error() {
        return isFailed() ? Optional.of(Json.errorInfo(result)) : Optional.empty();
    }
}
