package spark.jobserver.driver;

import java.io.IOException;
import java.io.InputStream;

/** Where the bytes of a job that returned a {@code java.io.InputStream} go: the server. */
@FunctionalInterface
interface ResultStreams {

    /**
     * Sends {@code stream}'s bytes as job {@code jobId}'s result, reading it in the calling thread.
     *
     * @return the number of bytes sent
     * @throws IOException when reading the stream or sending it fails
     */
    long upload(String jobId, InputStream stream) throws IOException, InterruptedException;
}
