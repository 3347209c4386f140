package spark.jobserver;

import com.typesafe.config.Config;
import java.io.InputStream;
import org.apache.spark.SparkContext;

/**
 * Returns its result as a {@link java.io.InputStream}: exactly {@code stream.size} bytes (default 1024,
 * at least 2) forming one JSON string, {@code "0123456789012…"}. The bytes are made as they are read,
 * never held in memory at once, and the server streams them to the client as they come. Legacy style.
 */
public final class StreamResultJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        if (config.hasPath("stream.size") && config.getLong("stream.size") < 2) {
            return new SparkJobInvalid("stream.size must be at least 2");
        }
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        long size = jobConfig.hasPath("stream.size") ? jobConfig.getLong("stream.size") : 1024;
        return new DigitString(size);
    }

    /** A JSON string of digits, {@code size} bytes including its quotes, made on demand. */
    static final class DigitString extends InputStream {
        private final long size;
        private long position;

        DigitString(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            long i = position++;
            return i == 0 || i == size - 1 ? '"' : '0' + (int) ((i - 1) % 10);
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int k = 0; k < n; k++) {
                b[off + k] = (byte) read();
            }
            return n;
        }
    }
}
