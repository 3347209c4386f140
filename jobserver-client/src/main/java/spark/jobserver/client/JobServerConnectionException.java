package spark.jobserver.client;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The server could not be reached, or the connection failed before a whole answer came (after any retries). */
public class JobServerConnectionException extends UncheckedIOException {
    JobServerConnectionException(String message, IOException cause) {
        super(message, cause);
    }
}
