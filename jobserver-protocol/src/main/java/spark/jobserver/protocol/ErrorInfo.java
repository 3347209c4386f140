package spark.jobserver.protocol;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * An exception as clients see it: {@code {"message":…,"errorClass":…,"stack":…}}.
 *
 * @param message the exception's message; may be null
 * @param errorClass the exception's class name
 * @param stack the stack trace text; may be empty
 */
public record ErrorInfo(String message, String errorClass, String stack) {
    public ErrorInfo {
        errorClass = errorClass == null ? "java.lang.Throwable" : errorClass;
        stack = stack == null ? "" : stack;
    }

    /** The error map of {@code t}. */
    public static ErrorInfo of(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return new ErrorInfo(t.getMessage(), t.getClass().getName(), trace.toString());
    }

    /** An error without an exception behind it. */
    public static ErrorInfo of(String message, String errorClass) {
        return new ErrorInfo(message, errorClass, "");
    }
}
