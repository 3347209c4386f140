package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.ApiException;

/** A context could not be started: its driver failed, timed out, or was stopped before it was ready. */
public final class ContextStartException extends RuntimeException {
    private final transient ErrorInfo error;

    ContextStartException(ErrorInfo error) {
        super(requireNonNull(error, "error is null").message(), null, false, false);
        this.error = error;
    }

    public ErrorInfo error() {
        return error;
    }

    /** A failure of a context start as the reply the reference gives: 500 {@code CONTEXT INIT ERROR}. */
    public static ApiException asApiException(Throwable failure) {
        Throwable cause = ApiException.causeOf(failure);
        if (cause instanceof ApiException api) {
            return api;
        }
        if (cause instanceof ContextStartException start) {
            return ApiException.withError(500, "CONTEXT INIT ERROR", start.error());
        }
        return ApiException.withError(500, "CONTEXT INIT ERROR", ErrorInfo.of(cause));
    }
}
