package spark.jobserver.server.http;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The reference's timestamp formats. */
public final class Times {
    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter JOB_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.systemDefault());

    private Times() {}

    /** Binary upload-time and context start/end times: UTC with millis, e.g. {@code 2023-01-05T10:11:12.345Z}. */
    public static String utc(Instant instant) {
        return UTC_MILLIS.format(instant);
    }

    /** Job startTime: the server's zone with offset, e.g. {@code 2016-06-19T16:27:12.196+05:30}. */
    public static String jobTime(Instant instant) {
        return JOB_TIME.format(instant);
    }
}
