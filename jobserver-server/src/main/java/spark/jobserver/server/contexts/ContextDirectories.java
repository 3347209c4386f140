package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contexts' working directories ({@code <rootdir>/contexts/<id>}: the driver's log, shipped log,
 * binary cache and secret settings): a directory lives as long as its context's record, and is deleted
 * once history pruning has deleted the record.
 */
public final class ContextDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(ContextDirectories.class);

    private final Path dir;
    private final ContextStore store;

    public ContextDirectories(Path dir, ContextStore store) {
        this.dir = requireNonNull(dir, "dir is null");
        this.store = requireNonNull(store, "store is null");
    }

    /** Deletes the directories of contexts that are no longer recorded; returns how many. */
    public int deleteOrphans() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path entry : entries) {
                if (store.get(entry.getFileName().toString()).isEmpty() && deleteTree(entry)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot list the context directories in {}: {}", dir, e.toString());
        }
        return deleted;
    }

    private static boolean deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot delete the directory of a pruned context {}: {}", root, e.toString());
            return false;
        }
    }
}
