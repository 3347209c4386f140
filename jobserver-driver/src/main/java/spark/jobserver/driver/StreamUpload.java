package spark.jobserver.driver;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Hands the bytes of a stream from the thread that reads it to the HTTP client that sends them,
 * through a small bounded queue of chunks: the reader never gets more than {@link #CAPACITY} chunks
 * ahead of the network, so a stream of any size costs a fixed amount of memory.
 */
final class StreamUpload {
    static final int CHUNK_SIZE = 64 * 1024;
    static final int CAPACITY = 8;
    private static final byte[] END = new byte[0];
    private static final byte[] ABORTED = new byte[0];

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CAPACITY + 1);
    private volatile boolean aborted;

    /** The request body the HTTP client reads from. */
    InputStream body() {
        return new Body();
    }

    /**
     * Copies {@code source} into the queue until its end, or until {@code request} completes (the server
     * answered before reading everything: its answer says why).
     *
     * @return the number of bytes handed to the HTTP client
     */
    long pump(InputStream source, Future<?> request) throws IOException, InterruptedException {
        long size = 0;
        byte[] buffer = new byte[CHUNK_SIZE];
        int n;
        while ((n = source.read(buffer)) >= 0) {
            if (n == 0) {
                continue;
            }
            if (!offer(Arrays.copyOf(buffer, n), request)) {
                return size;
            }
            size += n;
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while uploading");
            }
        }
        offer(END, request);
        return size;
    }

    /** Stops the upload: the HTTP client's next read fails, which aborts the request. */
    void abort() {
        aborted = true;
        chunks.clear();
        chunks.offer(ABORTED);
    }

    private boolean offer(byte[] chunk, Future<?> request) throws InterruptedException {
        while (!chunks.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
            if (request.isDone()) {
                return false;
            }
        }
        return true;
    }

    /** The consuming side, read by the HTTP client's threads. */
    private final class Body extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                byte[] next;
                try {
                    next = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for the result stream", e);
                }
                if (next == ABORTED || aborted) {
                    throw new IOException("the result upload was abandoned");
                }
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                position = 0;
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }
}
