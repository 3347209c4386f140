package spark.jobserver.server.http;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import spark.jobserver.protocol.ErrorInfo;

/**
 * The one way a request fails: an HTTP status and the reply body of the reference's error envelope
 * ({@code {"status":"ERROR","result":"message"}} or {@code {"status":"<LABEL>","result":{exception map}}}).
 */
public final class ApiException extends RuntimeException {
    private final int httpStatus;
    private final transient Map<String, Object> body;
    /** When the client may try again ({@code Retry-After}); null when the answer says nothing of it. */
    private final java.time.Duration retryAfter;

    private ApiException(int httpStatus, String message, Map<String, Object> body) {
        this(httpStatus, message, body, null);
    }

    private ApiException(int httpStatus, String message, Map<String, Object> body, java.time.Duration retryAfter) {
        super(message, null, false, false);
        this.httpStatus = httpStatus;
        this.body = body;
        this.retryAfter = retryAfter;
    }

    /** The same answer with a {@code Retry-After} header of {@code delay} (whole seconds, at least one). */
    public ApiException retryAfter(java.time.Duration delay) {
        return new ApiException(httpStatus, getMessage(), body, requireNonNull(delay, "delay is null"));
    }

    /** The {@code Retry-After} seconds of this answer, if it has one. */
    public java.util.OptionalLong retryAfterSeconds() {
        return retryAfter == null
                ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
    }

    /** {@code {"status":"ERROR","result":"<message>"}}. */
    public static ApiException error(int httpStatus, String message) {
        return labelled(httpStatus, "ERROR", message);
    }

    /** {@code {"status":"<label>","result":"<message>"}}. */
    public static ApiException labelled(int httpStatus, String label, String message) {
        requireNonNull(message, "message is null");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", label);
        body.put("result", message);
        return new ApiException(httpStatus, message, body);
    }

    /** {@code {"status":"<label>","result":{"message":…,"errorClass":…,"stack":…}}}. */
    public static ApiException withError(int httpStatus, String label, ErrorInfo error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", label);
        body.put("result", error);
        return new ApiException(httpStatus, label + ": " + error.message(), body);
    }

    /** {@code {"jobId":…,"status":"ERROR","result":{exception map}}}: a job that failed. */
    public static ApiException jobError(int httpStatus, String jobId, ErrorInfo error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("status", "ERROR");
        body.put("result", error);
        return new ApiException(httpStatus, "job " + jobId + " failed: " + error.message(), body);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Map<String, Object> body() {
        return body;
    }

    /** The real failure behind a {@link java.util.concurrent.CompletionException} from a future chain. */
    public static Throwable causeOf(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
    }
}
