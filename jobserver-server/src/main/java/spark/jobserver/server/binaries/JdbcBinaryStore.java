package spark.jobserver.server.binaries;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/**
 * Binaries in the metadata database. The bytes are stored once per SHA-256, in chunks of
 * {@value #CHUNK_SIZE} bytes written and read one at a time, so neither side of a transfer ever holds a
 * whole binary in memory on any database. A binary's chunks, its content row and its version row are
 * written in one transaction: a binary is listed only when all of it is stored.
 */
public final class JdbcBinaryStore implements BinaryStore {
    static final int CHUNK_SIZE = 1 << 20;
    private static final String COLUMNS = "b.app_name, b.binary_type, b.upload_time, b.sha256, c.size_bytes";
    private final Jdbc jdbc;

    public JdbcBinaryStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void save(BinaryInfo info, Path content) {
        try {
            saveOnce(info, content);
        } catch (StoreException e) {
            if (!Jdbc.isConstraintViolation(e)) {
                throw e;
            }
            // Someone stored the same bytes meanwhile: they are there now, only the version row is missing.
            saveOnce(info, content);
        }
    }

    private void saveOnce(BinaryInfo info, Path content) {
        jdbc.inTransaction(c -> {
            if (!contentExists(c, info.sha256())) {
                String blobId = UUID.randomUUID().toString();
                long size = writeChunks(c, blobId, content);
                if (size != info.size()) {
                    throw new IOException(
                            "The file of binary " + info.appName() + " has " + size + " bytes, not " + info.size());
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO binary_contents (sha256, size_bytes, blob_id) VALUES (?, ?, ?)")) {
                    Jdbc.bind(ps, info.sha256(), info.size(), blobId);
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO binaries (app_name, binary_type, upload_time, sha256) VALUES (?, ?, ?, ?)")) {
                Jdbc.bind(
                        ps,
                        info.appName(),
                        info.type().wireName(),
                        info.uploadTime().toEpochMilli(),
                        info.sha256());
                ps.executeUpdate();
            }
            return null;
        });
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

    private static boolean contentExists(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM binary_contents WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Optional<BinaryInfo> latest(String appName) {
        return jdbc.queryOne(
                "SELECT " + COLUMNS + " FROM binaries b JOIN binary_contents c ON b.sha256 = c.sha256"
                        + " WHERE b.app_name = ? ORDER BY b.upload_time DESC, b.id DESC",
                JdbcBinaryStore::map,
                appName);
    }

    @Override
    public List<BinaryInfo> latestOfEach() {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM binaries b JOIN binary_contents c ON b.sha256 = c.sha256"
                        + " WHERE b.id = (SELECT MAX(b2.id) FROM binaries b2 WHERE b2.app_name = b.app_name)"
                        + " ORDER BY b.app_name",
                JdbcBinaryStore::map);
    }

    @Override
    public int deleteAll(String appName) {
        return jdbc.inTransaction(c -> {
            int deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM binaries WHERE app_name = ?")) {
                ps.setString(1, appName);
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM binary_chunks WHERE blob_id IN"
                    + " (SELECT blob_id FROM binary_contents WHERE sha256 NOT IN (SELECT sha256 FROM binaries))")) {
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM binary_contents WHERE sha256 NOT IN (SELECT sha256 FROM binaries)")) {
                ps.executeUpdate();
            }
            return deleted;
        });
    }

    @Override
    public Optional<InputStream> content(String sha256) {
        return jdbc.queryOne(
                "SELECT blob_id, size_bytes FROM binary_contents WHERE sha256 = ?",
                rs -> (InputStream) new ChunkStream(rs.getString(1), rs.getLong(2), sha256),
                sha256);
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

    private static BinaryInfo map(ResultSet rs) throws SQLException {
        return new BinaryInfo(
                rs.getString("app_name"),
                BinaryType.fromWireName(rs.getString("binary_type")),
                Instant.ofEpochMilli(rs.getLong("upload_time")),
                rs.getString("sha256"),
                rs.getLong("size_bytes"));
    }
}
