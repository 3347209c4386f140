package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.util.Objects;
import scala.collection.Iterator;
import scala.collection.immutable.LazyList;

/**
 * The bytes of a job result that is a Scala {@code Stream} or {@code LazyList} (of {@code Byte}s), as an
 * {@link InputStream}: the original project sent such a result's bytes as they are, in place of the
 * JSON result (JOB-API §5), as this driver does with any {@code InputStream}. The elements are read as
 * the stream is, so a lazy result is never held whole.
 */
final class ScalaByteStream extends InputStream {
    private final Iterator<?> bytes;
    private long position;

    private ScalaByteStream(Iterator<?> bytes) {
        this.bytes = requireNonNull(bytes, "bytes is null");
    }

    /** The bytes of {@code result} when it is a Scala {@code Stream}, or a {@code LazyList} of bytes; otherwise null. */
    @SuppressWarnings("deprecation") // Stream is deprecated in Scala 2.13, but jobs of the original return it
    static InputStream of(Object result) {
        if (result instanceof scala.collection.immutable.Stream<?> stream) {
            return new ScalaByteStream(stream.iterator());
        }
        // A LazyList (which the original did not know) is bytes when it holds bytes; any other is a sequence,
        // rendered as a JSON array.
        if (result instanceof LazyList<?> list && list.nonEmpty() && list.head() instanceof Byte) {
            return new ScalaByteStream(list.iterator());
        }
        return null;
    }

    @Override
    public int read() {
        if (!bytes.hasNext()) {
            return -1;
        }
        return next() & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len && bytes.hasNext()) {
            b[off + n] = next();
            n++;
        }
        return n == 0 ? -1 : n;
    }

    private byte next() {
        Object element = bytes.next();
        if (element instanceof Byte b) {
            position++;
            return b;
        }
        throw new IllegalArgumentException(
                "a Stream result must hold Bytes (the bytes of the result), but element " + position + " is "
                        + (element == null ? "null" : "a " + element.getClass().getName()));
    }
}
