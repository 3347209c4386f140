package spark.jobserver.server.binaries;

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

/**
 * Binaries' versions in the SQL database (table {@code binaries}, with each hash's size in {@code binary_contents}).
 * Used alone when the bytes are in HDFS: then a content row's blob id is {@value #ELSEWHERE} and it has no chunks.
 */
public final class JdbcBinaryVersions implements BinaryVersions {
    /** The blob id of bytes kept outside the database. */
    static final String ELSEWHERE = "-";

    private static final String COLUMNS = "b.app_name, b.binary_type, b.upload_time, b.sha256, c.size_bytes";
    private static final String JOINED = " FROM binaries b JOIN binary_contents c ON b.sha256 = c.sha256";
    private final Jdbc jdbc;

    public JdbcBinaryVersions(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void add(BinaryInfo info) {
        try {
            addOnce(info);
        } catch (StoreException e) {
            if (!Jdbc.isConstraintViolation(e)) {
                throw e;
            }
            addOnce(info); // the same hash's content row was added meanwhile
        }
    }

    private void addOnce(BinaryInfo info) {
        jdbc.inTransaction(c -> {
            if (!JdbcBinaryContent.exists(c, info.sha256())) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO binary_contents (sha256, size_bytes, blob_id) VALUES (?, ?, ?)")) {
                    Jdbc.bind(ps, info.sha256(), info.size(), ELSEWHERE);
                    ps.executeUpdate();
                }
            }
            insert(c, info);
            return null;
        });
    }

    /** Inserts the version row; its content row exists. */
    static void insert(Connection c, BinaryInfo info) throws SQLException {
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
    }

    /** Deletes the app's version rows; returns how many. */
    static int delete(Connection c, String appName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM binaries WHERE app_name = ?")) {
            ps.setString(1, appName);
            return ps.executeUpdate();
        }
    }

    @Override
    public Optional<BinaryInfo> latest(String appName) {
        return jdbc.queryOne(
                "SELECT " + COLUMNS + JOINED + " WHERE b.app_name = ? ORDER BY b.upload_time DESC, b.id DESC",
                JdbcBinaryVersions::map,
                appName);
    }

    @Override
    public List<BinaryInfo> latestOfEach() {
        return jdbc.query(
                "SELECT " + COLUMNS + JOINED
                        + " WHERE b.id = (SELECT MAX(b2.id) FROM binaries b2 WHERE b2.app_name = b.app_name)"
                        + " ORDER BY b.app_name",
                JdbcBinaryVersions::map);
    }

    @Override
    public List<BinaryInfo> deleteAll(String appName) {
        return jdbc.inTransaction(c -> {
            List<BinaryInfo> removed;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + JOINED + " WHERE b.app_name = ?")) {
                ps.setString(1, appName);
                try (ResultSet rs = ps.executeQuery()) {
                    List<BinaryInfo> rows = new java.util.ArrayList<>();
                    while (rs.next()) {
                        rows.add(map(rs));
                    }
                    removed = List.copyOf(rows);
                }
            }
            delete(c, appName);
            JdbcBinaryContent.deleteUnused(c);
            return removed;
        });
    }

    @Override
    public boolean uses(String sha256) {
        return jdbc.queryOne("SELECT 1 FROM binaries WHERE sha256 = ?", rs -> true, sha256)
                .isPresent();
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
