package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Rejection;

/** A job cannot start, for a reason the server maps to its own status and message. */
final class JobRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Rejection reason;
    private final transient ErrorInfo error;

    JobRejectedException(Rejection reason, ErrorInfo error) {
        super(error.message());
        this.reason = requireNonNull(reason, "reason is null");
        this.error = error;
    }

    /** Rejected because of {@code cause}, reported with {@code message} but the cause's class and stack. */
    static JobRejectedException of(Rejection reason, String message, Throwable cause) {
        ErrorInfo info = ErrorInfo.of(cause);
        JobRejectedException e =
                new JobRejectedException(reason, new ErrorInfo(message, info.errorClass(), info.stack()));
        e.initCause(cause);
        return e;
    }

    Rejection reason() {
        return reason;
    }

    ErrorInfo error() {
        return error;
    }
}
