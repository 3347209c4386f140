package spark.jobserver.python;

/** The context's Python process cannot be started, or is gone. */
public final class PythonUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PythonUnavailableException(String message) {
        super(message);
    }

    public PythonUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
