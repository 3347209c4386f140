package spark.jobserver;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Computes a large result with Spark and streams it: a JSON array of {@code result.megabytes} MiB
 * (default 50) of 100-byte strings, built on the cluster partition by partition and fetched with
 * {@code toLocalIterator}, so the driver holds one partition (about 4 MiB) at a time and the server
 * relays the bytes without keeping them in memory. Legacy style.
 */
public final class LargeResultJob implements SparkJob {
    /** A row: a 100-byte JSON string. */
    static final int ROW_BYTES = 100;
    /** About 4 MiB per partition: few Spark jobs for toLocalIterator, little memory on the driver. */
    private static final long ROWS_PER_PARTITION = 40_000;

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        if (config.hasPath("result.megabytes") && config.getInt("result.megabytes") < 1) {
            return new SparkJobInvalid("result.megabytes must be at least 1");
        }
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        long megabytes = jobConfig.hasPath("result.megabytes") ? jobConfig.getInt("result.megabytes") : 50;
        // Rows plus the commas between them fill the size: (ROW_BYTES + 1) bytes per row.
        long rows = megabytes * 1024 * 1024 / (ROW_BYTES + 1);
        int partitions = (int) ((rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
        List<Integer> partitionIds = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            partitionIds.add(p);
        }
        JavaRDD<String> lines = JavaSparkContext.fromSparkContext(sc)
                .parallelize(partitionIds, partitions)
                .flatMap(p -> LongStream.range(p * ROWS_PER_PARTITION, Math.min(rows, (p + 1) * ROWS_PER_PARTITION))
                        .mapToObj(LargeResultJob::row)
                        .iterator());
        return new JsonArrayStream(lines.toLocalIterator());
    }

    private static final String FILLER = "x".repeat(ROW_BYTES);

    /** Row {@code i}: {@code "row 000000000042 xxx…"}, 100 bytes with its quotes. */
    static String row(long i) {
        String number = Long.toString(i);
        StringBuilder row = new StringBuilder(ROW_BYTES).append("\"row ");
        row.append("0".repeat(Math.max(0, 12 - number.length()))).append(number).append(' ');
        row.append(FILLER, 0, ROW_BYTES - row.length() - 1).append('"');
        return row.toString();
    }

    /** {@code [a,b,…]} over an iterator of JSON values, one value in memory at a time. */
    static final class JsonArrayStream extends InputStream {
        private final Iterator<String> values;
        private byte[] current = {'['};
        private int position;
        private boolean first = true;
        private boolean closed;

        JsonArrayStream(Iterator<String> values) {
            this.values = values;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == current.length) {
                if (closed) {
                    return -1;
                }
                if (values.hasNext()) {
                    current = ((first ? "" : ",") + values.next()).getBytes(StandardCharsets.UTF_8);
                    first = false;
                } else {
                    current = new byte[] {']'};
                    closed = true;
                }
                position = 0;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}
