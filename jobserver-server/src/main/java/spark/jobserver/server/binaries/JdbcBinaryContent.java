package spark.jobserver.server.binaries;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/**
 * Binaries' bytes in the SQL database: a {@code binary_contents} row per SHA-256 (its size and blob id) and the
 * bytes in {@code binary_chunks} of {@value #CHUNK_SIZE} bytes, written and read one at a time, so neither side of
 * a transfer ever holds a whole binary in memory on any database. {@link JdbcBinaryStore} calls the
 * connection-level methods inside its own transaction; alone (versions kept in ZooKeeper) a store is one
 * transaction.
 */
public final class JdbcBinaryContent implements BinaryContent {
    static final int CHUNK_SIZE = 1 << 20;
    private final Jdbc jdbc;

    public JdbcBinaryContent(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void store(String sha256, long size, Path file) {
        try {
            jdbc.inTransaction(c -> {
                if (!exists(c, sha256)) {
                    insert(c, sha256, size, file);
                }
                return null;
            });
        } catch (StoreException e) {
            if (!Jdbc.isConstraintViolation(e)) {
                throw e;
            }
            // someone stored the same bytes meanwhile
        }
    }

    @Override
    public Optional<InputStream> open(String sha256) {
        return jdbc.queryOne(
                "SELECT blob_id, size_bytes FROM binary_contents WHERE sha256 = ?",
                rs -> (InputStream) new ChunkStream(rs.getString(1), rs.getLong(2), sha256),
                sha256);
    }

    @Override
    public void delete(String sha256) {
        jdbc.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM binary_chunks WHERE blob_id IN (SELECT blob_id FROM binary_contents WHERE sha256 = ?)")) {
                ps.setString(1, sha256);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM binary_contents WHERE sha256 = ?")) {
                ps.setString(1, sha256);
                ps.executeUpdate();
            }
            return null;
        });
    }

    static boolean exists(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM binary_contents WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Writes the chunks and the content row, failing when the file does not have {@code size} bytes. */
    static void insert(Connection c, String sha256, long size, Path file) throws IOException, SQLException {
        String blobId = UUID.randomUUID().toString();
        long written = writeChunks(c, blobId, file);
        if (written != size) {
            throw new IOException("The file of binary " + sha256 + " has " + written + " bytes, not " + size);
        }
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO binary_contents (sha256, size_bytes, blob_id) VALUES (?, ?, ?)")) {
            Jdbc.bind(ps, sha256, size, blobId);
            ps.executeUpdate();
        }
    }

    private static long writeChunks(Connection c, String blobId, Path content) throws IOException, SQLException {
        byte[] buffer = new byte[CHUNK_SIZE];
        long total = 0;
        try (InputStream in = Files.newInputStream(content);
                PreparedStatement ps =
                        c.prepareStatement("INSERT INTO binary_chunks (blob_id, seq, data) VALUES (?, ?, ?)")) {
            for (int seq = 0; ; seq++) {
                int n = in.readNBytes(buffer, 0, buffer.length);
                if (n == 0) {
                    return total;
                }
                ps.setString(1, blobId);
                ps.setInt(2, seq);
                ps.setBytes(3, n == buffer.length ? buffer : Arrays.copyOf(buffer, n));
                ps.executeUpdate();
                total += n;
            }
        }
    }

    /** Deletes the content rows no version uses, and their chunks. */
    static void deleteUnused(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM binary_chunks WHERE blob_id IN"
                + " (SELECT blob_id FROM binary_contents WHERE sha256 NOT IN (SELECT sha256 FROM binaries))")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps =
                c.prepareStatement("DELETE FROM binary_contents WHERE sha256 NOT IN (SELECT sha256 FROM binaries)")) {
            ps.executeUpdate();
        }
    }

    /** The bytes of one binary, fetched a chunk at a time, each with its own short query. */
    private final class ChunkStream extends InputStream {
        private final String blobId;
        private final String sha256;
        private long remaining;
        private int nextSeq;
        private byte[] chunk = new byte[0];
        private int pos;

        ChunkStream(String blobId, long size, String sha256) {
            this.blobId = blobId;
            this.remaining = size;
            this.sha256 = sha256;
        }

        private boolean fill() throws IOException {
            while (pos >= chunk.length) {
                if (remaining <= 0) {
                    return false;
                }
                int seq = nextSeq++;
                try {
                    chunk = jdbc.queryOne(
                                    "SELECT data FROM binary_chunks WHERE blob_id = ? AND seq = ?",
                                    rs -> rs.getBytes(1),
                                    blobId,
                                    seq)
                            .orElseThrow(() -> new IOException("Binary " + sha256 + " is incomplete: chunk " + seq
                                    + " is missing (deleted while being read?)"));
                } catch (StoreException e) {
                    throw new IOException("Reading binary " + sha256 + " failed: " + e.getMessage(), e);
                }
                pos = 0;
                remaining -= chunk.length;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
