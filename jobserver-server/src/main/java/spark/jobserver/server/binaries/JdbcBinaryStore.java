package spark.jobserver.server.binaries;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/**
 * Binaries in the metadata database: the versions of {@link JdbcBinaryVersions} and the bytes of
 * {@link JdbcBinaryContent} (stored once per SHA-256, in chunks). A binary's chunks, its content row and its
 * version row are written in one transaction: a binary is listed only when all of it is stored, on every server
 * sharing the database.
 */
public final class JdbcBinaryStore implements BinaryStore {
    static final int CHUNK_SIZE = JdbcBinaryContent.CHUNK_SIZE;
    private final Jdbc jdbc;
    private final JdbcBinaryVersions versions;
    private final JdbcBinaryContent content;

    public JdbcBinaryStore(Database database) {
        this.jdbc = new Jdbc(database);
        this.versions = new JdbcBinaryVersions(database);
        this.content = new JdbcBinaryContent(database);
    }

    @Override
    public void save(BinaryInfo info, Path file) {
        try {
            saveOnce(info, file);
        } catch (StoreException e) {
            if (!Jdbc.isConstraintViolation(e)) {
                throw e;
            }
            // Someone stored the same bytes meanwhile: they are there now, only the version row is missing.
            saveOnce(info, file);
        }
    }

    private void saveOnce(BinaryInfo info, Path file) {
        jdbc.inTransaction(c -> {
            if (!JdbcBinaryContent.exists(c, info.sha256())) {
                JdbcBinaryContent.insert(c, info.sha256(), info.size(), file);
            }
            JdbcBinaryVersions.insert(c, info);
            return null;
        });
    }

    @Override
    public BinaryVersions versions() {
        return versions;
    }

    @Override
    public int deleteAll(String appName) {
        return jdbc.inTransaction(c -> {
            int deleted = JdbcBinaryVersions.delete(c, appName);
            JdbcBinaryContent.deleteUnused(c);
            return deleted;
        });
    }

    @Override
    public Optional<InputStream> content(String sha256) {
        return content.open(sha256);
    }
}
