package spark.jobserver.common;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** File operations the server and the driver both need. */
public final class MoreFiles {
    private MoreFiles() {}

    /**
     * Moves a finished temporary file to its final name, replacing what is there: atomically where the
     * file system can (readers never see a partial file), otherwise as a plain replacing move.
     */
    public static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
