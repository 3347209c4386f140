package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import spark.jobserver.protocol.ErrorInfo;

/** What a Python job raised, as Python described it: its type, message and traceback. */
final class PythonJobException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ErrorInfo error;

    PythonJobException(ErrorInfo error) {
        super(requireNonNull(error, "error is null").message(), null, false, false);
        this.error = error;
    }

    /** The error as clients see it: the Python exception's type, message and traceback. */
    ErrorInfo error() {
        return error;
    }

    /** The error clients see for {@code t}: Python's own account of a Python exception. */
    static ErrorInfo errorOf(Throwable t) {
        return t instanceof PythonJobException python ? python.error() : ErrorInfo.of(t);
    }
}
