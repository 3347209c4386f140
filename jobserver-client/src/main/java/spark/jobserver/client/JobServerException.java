package spark.jobserver.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * The server answered with an error status. Carries the status code and the server's JSON envelope
 * ({@code {"status":"ERROR","result":"<message>"}} or, with an exception, {@code "result":{"message",
 * "errorClass","stack"}}); {@link #getMessage()} is the server's message. The subclasses name the statuses a
 * caller handles differently.
 */
public class JobServerException extends RuntimeException {
    private final int statusCode;
    private final String status;
    private final String serverMessage;
    private final JsonNode body;
    private final Duration retryAfter;

    JobServerException(Failure failure) {
        super(failure.statusCode() + " " + failure.status() + ": " + failure.message());
        this.statusCode = failure.statusCode();
        this.status = failure.status();
        this.serverMessage = failure.message();
        this.body = failure.body();
        this.retryAfter = failure.retryAfter();
    }

    /** The HTTP status code. */
    public int statusCode() {
        return statusCode;
    }

    /** The envelope's {@code status}: {@code ERROR}, {@code VALIDATION FAILED}, {@code NO SLOTS AVAILABLE}, ... */
    public String status() {
        return status;
    }

    /** The server's message: the envelope's {@code result}, or its {@code result.message}. */
    public String serverMessage() {
        return serverMessage;
    }

    /** The whole JSON body as the server sent it (a text node when it was not JSON). */
    public JsonNode body() {
        return body;
    }

    /** The exception class the server named ({@code result.errorClass}), if any. */
    public Optional<String> errorClass() {
        JsonNode result = body.path("result");
        return result.hasNonNull("errorClass")
                ? Optional.of(result.get("errorClass").asText())
                : Optional.empty();
    }

    /** The server's {@code Retry-After}, if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** What an error reply said, before it becomes an exception. */
    record Failure(int statusCode, String status, String message, JsonNode body, Duration retryAfter) {}

    static JobServerException of(Failure failure) {
        return switch (failure.statusCode()) {
            case 400 ->
                "VALIDATION FAILED".equals(failure.status())
                        ? new ValidationFailedException(failure)
                        : new BadRequestException(failure);
            case 401 -> new UnauthorizedException(failure);
            case 403 -> new ForbiddenException(failure);
            case 404 -> new NotFoundException(failure);
            case 409 -> new ConflictException(failure);
            case 422 -> new IdempotencyKeyReusedException(failure);
            case 429 -> new TooManyRequestsException(failure);
            case 503 -> new UnavailableException(failure);
            default ->
                failure.statusCode() >= 500 ? new ServerErrorException(failure) : new JobServerException(failure);
        };
    }
}
