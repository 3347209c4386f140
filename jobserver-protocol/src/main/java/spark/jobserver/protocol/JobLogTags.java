package spark.jobserver.protocol;

import java.util.regex.Pattern;

/**
 * How a driver's log says which job wrote a line, shared by the driver (which writes the tags) and the
 * server (which serves one job's lines). A line a job wrote starts with {@code [job <jobId>] }: log4j2
 * lines through the MDC key {@link #MDC_KEY} in the layout, {@code System.out}/{@code System.err} and
 * Python output through a prefix. A line without a tag that continues an entry (a stack trace, a Python
 * traceback) belongs to the job of the line it continues.
 */
public final class JobLogTags {
    /** The log4j2 {@code ThreadContext} (MDC) key a job's thread carries while it runs the job. */
    public static final String MDC_KEY = "jobId";

    /**
     * The context setting that makes a driver ship its log to the server over its connection, also when it
     * runs on the server's host (a driver in cluster deploy mode always does).
     */
    public static final String SHIP_SETTING = "ship-driver-log";

    private static final String START = "[job ";

    /** What a layout adds at the start of a line: nothing on a thread that runs no job. */
    public static final String LOG4J_PATTERN = "%notEmpty{[job %X{" + MDC_KEY + "}] }";

    /** Stack traces, causes, "... 12 more", Python tracebacks and exception lines. */
    private static final Pattern CONTINUATION = Pattern.compile("^(?:\\s.*"
            + "|Caused by: .*|Suppressed: .*|Traceback \\(most recent call last\\):.*"
            + "|(?:[A-Za-z_$][\\w$]*\\.)*[A-Za-z_$][\\w$]*(?:Exception|Error|Throwable|Exit|Interrupt)(?:: .*)?)$");

    private JobLogTags() {}

    /** The tag that starts each line of job {@code jobId}. */
    public static String prefix(String jobId) {
        return START + jobId + "] ";
    }

    /** The job whose tag starts {@code line}; null when it starts with none. */
    public static String jobOf(CharSequence line) {
        if (line.length() < START.length() + 3
                || !line.subSequence(0, START.length()).toString().equals(START)) {
            return null;
        }
        for (int i = START.length(); i < line.length() - 1; i++) {
            char c = line.charAt(i);
            if (c == ']') {
                return i > START.length() && line.charAt(i + 1) == ' '
                        ? line.subSequence(START.length(), i).toString()
                        : null;
            }
            if (Character.isWhitespace(c)) {
                return null;
            }
        }
        return null;
    }

    /** Whether an untagged line continues the entry before it rather than starting one of its own. */
    public static boolean continues(CharSequence line) {
        return CONTINUATION.matcher(line).matches();
    }

    /**
     * The job that {@code line} belongs to, given the job of the line before it.
     *
     * @param previous the job of the line before; null when it belonged to none
     */
    public static String owner(CharSequence line, String previous) {
        String tagged = jobOf(line);
        if (tagged != null) {
            return tagged;
        }
        return previous != null && continues(line) ? previous : null;
    }
}
