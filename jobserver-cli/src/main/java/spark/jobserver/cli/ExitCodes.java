package spark.jobserver.cli;

/** The exit codes of {@code jobserver-cli}, for scripts (docs/client.md). */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** The job ended in ERROR or was KILLED ({@code jobs run}, {@code jobs result}). */
    public static final int JOB_FAILED = 1;
    /** Bad command line: unknown command or option, a missing argument, a file that is not there. */
    public static final int USAGE = 2;
    /** The server has no such binary, context, job or file (404). */
    public static final int NOT_FOUND = 3;
    /** The server refused the request: 4xx other than 404 (invalid input, validation failed, conflict, login). */
    public static final int REFUSED = 4;
    /** The server failed: 5xx (a context that could not start, no slot, a timeout). */
    public static final int SERVER_ERROR = 5;
    /** The server could not be reached. */
    public static final int CONNECTION_FAILED = 6;
    /** {@code jobs result} of a job that has not ended yet. */
    public static final int JOB_NOT_DONE = 7;

    private ExitCodes() {}
}
