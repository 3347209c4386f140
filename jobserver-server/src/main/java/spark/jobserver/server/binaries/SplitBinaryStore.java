package spark.jobserver.server.binaries;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Binaries whose versions and bytes are kept apart (bytes in HDFS, or versions in ZooKeeper): the bytes are stored
 * first and a version names them only once they are all there. Deleting an app's last use of some bytes deletes
 * them; a lock keeps that from racing with an upload of the same bytes in this server (the stores it composes are
 * for a single server; {@link JdbcBinaryStore} does both in one SQL transaction).
 */
public final class SplitBinaryStore implements BinaryStore {
    private final BinaryVersions versions;
    private final BinaryContent content;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();

    public SplitBinaryStore(BinaryVersions versions, BinaryContent content) {
        this.versions = requireNonNull(versions, "versions is null");
        this.content = requireNonNull(content, "content is null");
    }

    @Override
    public void save(BinaryInfo info, Path file) {
        lock.readLock().lock();
        try {
            content.store(info.sha256(), info.size(), file);
            versions.add(info);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public BinaryVersions versions() {
        return versions;
    }

    @Override
    public int deleteAll(String appName) {
        lock.writeLock().lock();
        try {
            List<BinaryInfo> removed = versions.deleteAll(appName);
            removed.stream()
                    .map(BinaryInfo::sha256)
                    .distinct()
                    .filter(sha256 -> !versions.uses(sha256))
                    .forEach(content::delete);
            return removed.size();
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Optional<InputStream> content(String sha256) {
        return content.open(sha256);
    }
}
