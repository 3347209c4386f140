package spark.jobserver.server.binaries;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/** Where the bytes of binaries are kept, once per SHA-256: the SQL database or a Hadoop FileSystem (HDFS). */
public interface BinaryContent {

    /**
     * Stores the bytes of {@code file} as {@code sha256} unless bytes with that hash are stored. A file that does not
     * have {@code size} bytes fails the call and leaves nothing stored.
     */
    void store(String sha256, long size, Path file);

    /** The bytes with this hash, if stored. The caller closes the stream. */
    Optional<InputStream> open(String sha256);

    /** Deletes the bytes with this hash, if stored. */
    void delete(String sha256);
}
