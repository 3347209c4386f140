package spark.jobserver.server.jobs;

import java.nio.charset.StandardCharsets;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.Json;

/**
 * Caps what is stored of a job's end. A result over its cap is not stored: the job ends ERROR with an
 * error that says so (a client asking for the result must not mistake a note for it). An error over
 * its cap keeps its class and the start of its message, and its stack trace is cut to fit.
 */
final class ResultLimits {
    static final String TOO_LARGE_CLASS = "spark.jobserver.ResultTooLargeException";
    private static final String CUT = "\n... (cut: longer than the stored maximum)";

    private final long maxResultBytes;
    private final long maxErrorBytes;

    ResultLimits(long maxResultBytes, long maxErrorBytes) {
        if (maxResultBytes < 1 || maxErrorBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxResultBytes = maxResultBytes;
        this.maxErrorBytes = maxErrorBytes;
    }

    /** What is stored of an end: status, result JSON and error. */
    record End(JobStatus status, String result, ErrorInfo error) {}

    End apply(String jobId, JobStatus status, String result, ErrorInfo error) {
        if (result != null) {
            long size = utf8Length(result);
            if (size > maxResultBytes) {
                return new End(
                        JobStatus.ERROR,
                        null,
                        new ErrorInfo(
                                "The result of job " + jobId + " is " + size
                                        + " bytes of JSON, more than spark.jobserver.job-history.max-result-size ("
                                        + maxResultBytes
                                        + " bytes): it was not stored",
                                TOO_LARGE_CLASS,
                                ""));
            }
        }
        return new End(status, result, error == null ? null : cap(error));
    }

    ErrorInfo cap(ErrorInfo error) {
        if (utf8Length(Json.write(error)) <= maxErrorBytes) {
            return error;
        }
        // Room for the class, the JSON around the fields and the markers; the rest goes to message, then stack.
        long room = Math.max(
                0,
                maxErrorBytes
                        - utf8Length(Json.write(new ErrorInfo("", error.errorClass(), "")))
                        - 2L * CUT.length()
                        - 16);
        String message = truncate(error.message() == null ? "" : error.message(), room);
        String stack = truncate(error.stack() == null ? "" : error.stack(), room - utf8Length(message));
        ErrorInfo capped = new ErrorInfo(message, error.errorClass(), stack);
        // JSON escapes can still push it over; halve the stack until it fits.
        while (utf8Length(Json.write(capped)) > maxErrorBytes && !capped.stack().isEmpty()) {
            capped = new ErrorInfo(
                    capped.message(),
                    capped.errorClass(),
                    capped.stack().substring(0, capped.stack().length() / 2));
        }
        return capped;
    }

    private static String truncate(String text, long maxBytes) {
        if (utf8Length(text) <= maxBytes) {
            return text;
        }
        if (maxBytes <= CUT.length()) {
            return "";
        }
        long budget = maxBytes - CUT.length();
        StringBuilder kept = new StringBuilder();
        long used = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + bytes > budget) {
                break;
            }
            kept.appendCodePoint(cp);
            used += bytes;
            i += Character.charCount(cp);
        }
        return kept + CUT;
    }

    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
