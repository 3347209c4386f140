package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;
import spark.jobserver.server.http.ApiException;

/**
 * The bytes of stream results ({@code <rootdir>/results/<jobId>.bin}): received from drivers with a size
 * limit, relayed to clients from disk in chunks. Never held in memory whole.
 */
public final class StreamResults {
    private static final Logger LOG = LoggerFactory.getLogger(StreamResults.class);
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final Path dir;
    private final long maxSize;
    private final int chunkSize;

    /**
     * @param dir where the files are ({@code <rootdir>/results})
     * @param maxSize the largest stream kept ({@code spark.jobserver.max-stream-result-size})
     * @param chunkSize the size of the chunks a relayed stream is written in ({@code result-chunk-size})
     */
    public StreamResults(Path dir, long maxSize, int chunkSize) {
        this.dir = requireNonNull(dir, "dir is null");
        this.maxSize = maxSize;
        this.chunkSize = chunkSize;
    }

    /** A stream longer than the limit. */
    static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message, null, false, false);
        }
    }

    long maxSize() {
        return maxSize;
    }

    int chunkSize() {
        return chunkSize;
    }

    Path file(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw ApiException.error(404, "No such job ID " + jobId);
        }
        return dir.resolve(jobId + ".bin");
    }

    /**
     * Stores a job's stream from {@code in}; a complete file appears only when the whole stream arrived.
     *
     * @param declaredLength the request's Content-Length, or -1
     * @return the number of bytes stored
     * @throws TooLargeException beyond the limit (nothing is kept)
     */
    long receive(String jobId, InputStream in, long declaredLength) throws IOException {
        Path target = file(jobId);
        if (declaredLength > maxSize) {
            throw tooLarge(jobId);
        }
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, jobId + ".", ".part");
        try {
            long total = 0;
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    total += n;
                    if (total > maxSize) {
                        throw tooLarge(jobId);
                    }
                    out.write(buffer, 0, n);
                }
            }
            MoreFiles.moveIntoPlace(partial, target);
            LOG.info("Job {}: received a stream result of {} bytes", jobId, total);
            return total;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private TooLargeException tooLarge(String jobId) {
        return new TooLargeException("The result stream of job " + jobId + " is larger than the limit of " + maxSize
                + " bytes (spark.jobserver.max-stream-result-size)");
    }

    /** The stored size of a job's stream, or -1 when there is no file. */
    long storedSize(String jobId) {
        try {
            return Files.size(file(jobId));
        } catch (IOException e) {
            return -1;
        }
    }

    void delete(String jobId) {
        try {
            Files.deleteIfExists(file(jobId));
        } catch (IOException | ApiException e) {
            LOG.warn("Could not delete the stream result of job {}", jobId, e);
        }
    }

    /**
     * Deletes the stored streams of jobs that no longer exist (pruned from the history).
     *
     * @return how many files were deleted
     */
    int deleteOrphans(java.util.function.Predicate<String> jobExists) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".bin"))
                    .toList()) {
                String name = f.getFileName().toString();
                String jobId = name.substring(0, name.length() - ".bin".length());
                if (!jobExists.test(jobId)) {
                    delete(jobId);
                    deleted++;
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not list the stream results in {}", dir, e);
        }
        return deleted;
    }

    /**
     * Writes {@code prefix}, the job's stream and {@code suffix} to {@code out} in chunks of the configured
     * size, flushing each, so that the reply goes out chunked while it is read from disk.
     */
    void relay(String jobId, byte[] prefix, byte[] suffix, OutputStream out) throws IOException {
        Path file = file(jobId);
        if (!Files.isRegularFile(file)) {
            throw ApiException.error(500, "The stream result of job " + jobId + " is missing from " + dir);
        }
        try (InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(prefix), Files.newInputStream(file), new ByteArrayInputStream(suffix))))) {
            byte[] chunk = new byte[chunkSize];
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                out.write(chunk, 0, n);
                out.flush();
            }
        }
    }
}
