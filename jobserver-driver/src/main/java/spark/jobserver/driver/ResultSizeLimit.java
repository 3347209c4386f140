package spark.jobserver.driver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import spark.jobserver.protocol.ErrorInfo;

/**
 * The largest JSON result a job may return: its {@code JobFinished} frame must fit the server's frame
 * limit ({@code spark.jobserver.driver.max-message-size}, part of the server configuration every driver
 * gets), or the server would drop the connection. A result beyond it fails the job with a clear error.
 */
final class ResultSizeLimit {
    static final String KEY = "spark.jobserver.driver.max-message-size";
    /** Room for the rest of the frame: type, job id, end time. */
    static final long ENVELOPE = 1024;

    static final String ERROR_CLASS = "spark.jobserver.ResultTooLargeException";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultSizeLimit() {}

    /** The limit for results, from the server configuration; no limit when it says nothing. */
    static long from(Config serverConfig) {
        try {
            return serverConfig.hasPath(KEY) ? Math.max(1, serverConfig.getBytes(KEY) - ENVELOPE) : Long.MAX_VALUE;
        } catch (ConfigException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Null when {@code json} fits; otherwise the error the job fails with. Stops counting at the limit. */
    static ErrorInfo check(JsonNode json, long limit) throws IOException {
        if (limit == Long.MAX_VALUE) {
            return null;
        }
        Counter counter = new Counter(limit);
        try {
            MAPPER.writeValue(counter, json);
        } catch (IOException e) {
            if (!counter.exceeded()) {
                throw e;
            }
            return ErrorInfo.of(
                    "The job's result is more than " + limit + " bytes as JSON, the most a result may be"
                            + " (" + KEY + " minus " + ENVELOPE
                            + " bytes); return a java.io.InputStream to stream a large"
                            + " result",
                    ERROR_CLASS);
        }
        return null;
    }

    /** Counts bytes, and gives up once there are too many. */
    private static final class Counter extends OutputStream {
        private final long limit;
        private long count;

        Counter(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            add(len);
        }

        boolean exceeded() {
            return count > limit;
        }

        private void add(long n) throws Exceeded {
            count += n;
            if (count > limit) {
                throw new Exceeded();
            }
        }

        /** Thrown through Jackson to stop writing. */
        static final class Exceeded extends IOException {
            Exceeded() {
                super("limit exceeded", null);
            }
        }
    }
}
