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
import java.util.List;
import java.util.Optional;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/** Binaries in the metadata database; bytes as BLOBs, shared between versions with the same hash. */
public final class JdbcBinaryStore implements BinaryStore {
    private static final String COLUMNS = "b.app_name, b.binary_type, b.upload_time, b.sha256, c.size_bytes";
    private final Database database;
    private final Jdbc jdbc;

    public JdbcBinaryStore(Database database) {
        this.database = database;
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void save(BinaryInfo info, Path content) {
        jdbc.inTransaction(c -> {
            if (!contentExists(c, info.sha256())) {
                try (PreparedStatement ps = c.prepareStatement(
                                "INSERT INTO binary_contents (sha256, size_bytes, content) VALUES (?, ?, ?)");
                        InputStream in = Files.newInputStream(content)) {
                    ps.setString(1, info.sha256());
                    ps.setLong(2, info.size());
                    ps.setBinaryStream(3, in, info.size());
                    ps.executeUpdate();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO binaries (app_name, binary_type, upload_time, sha256) VALUES (?, ?, ?, ?)")) {
                Jdbc.bind(ps, info.appName(), info.type().wireName(), info.uploadTime().toEpochMilli(), info.sha256());
                ps.executeUpdate();
            }
            return null;
        });
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
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM binary_contents WHERE sha256 NOT IN (SELECT sha256 FROM binaries)")) {
                ps.executeUpdate();
            }
            return deleted;
        });
    }

    @Override
    public Optional<InputStream> content(String sha256) {
        Connection c = null;
        try {
            c = database.connection();
            PreparedStatement ps = c.prepareStatement("SELECT content FROM binary_contents WHERE sha256 = ?");
            ps.setString(1, sha256);
            ResultSet rs = ps.executeQuery();
            if (!rs.next()) {
                c.close();
                return Optional.empty();
            }
            Connection owned = c;
            InputStream blob = rs.getBinaryStream(1);
            return Optional.of(new java.io.FilterInputStream(blob) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        try {
                            owned.close();
                        } catch (SQLException e) {
                            throw new IOException(e);
                        }
                    }
                }
            });
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    e.addSuppressed(ignored);
                }
            }
            throw new StoreException("reading binary " + sha256 + " failed: " + e.getMessage(), e);
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
