package spark.jobserver.server.contexts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;

/** Contexts in the metadata database. */
public final class JdbcContextStore implements ContextStore {
    private static final String COLUMNS =
            "id, name, config, state, start_time, end_time, application_id, ui_url, error, pid, log_path";
    private final Jdbc jdbc;

    public JdbcContextStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void insert(ContextInfo c, String secret) {
        jdbc.update(
                "INSERT INTO contexts (" + COLUMNS + ", secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                c.id(),
                c.name(),
                c.config(),
                c.state().name(),
                c.startTime().toEpochMilli(),
                millis(c.endTime()),
                c.applicationId(),
                c.uiUrl(),
                errorJson(c.error()),
                c.pid(),
                c.logPath(),
                secret);
    }

    @Override
    public void update(ContextInfo c) {
        jdbc.update(
                "UPDATE contexts SET state = ?, end_time = ?, application_id = ?, ui_url = ?, error = ?,"
                        + " pid = ?, log_path = ? WHERE id = ?",
                c.state().name(),
                millis(c.endTime()),
                c.applicationId(),
                c.uiUrl(),
                errorJson(c.error()),
                c.pid(),
                c.logPath(),
                c.id());
    }

    @Override
    public Optional<ContextInfo> get(String id) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM contexts WHERE id = ?", JdbcContextStore::map, id);
    }

    @Override
    public Optional<ContextInfo> latestByName(String name) {
        return jdbc.queryOne(
                "SELECT " + COLUMNS + " FROM contexts WHERE name = ? ORDER BY start_time DESC",
                JdbcContextStore::map,
                name);
    }

    @Override
    public List<ContextInfo> unfinished() {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM contexts WHERE state NOT IN ('FINISHED', 'ERROR', 'KILLED')"
                        + " ORDER BY start_time",
                JdbcContextStore::map);
    }

    @Override
    public Optional<String> secret(String id) {
        return jdbc.queryOne("SELECT secret FROM contexts WHERE id = ?", rs -> rs.getString(1), id);
    }

    @Override
    public int deleteEndedBefore(Instant endedBefore) {
        return jdbc.update(
                "DELETE FROM contexts WHERE state IN ('FINISHED', 'ERROR', 'KILLED') AND end_time < ?",
                endedBefore.toEpochMilli());
    }

    private static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    private static String errorJson(ErrorInfo error) {
        return error == null ? null : Json.write(error);
    }

    private static ContextInfo map(ResultSet rs) throws SQLException {
        Long end = Jdbc.nullableLong(rs, "end_time");
        String error = rs.getString("error");
        return new ContextInfo(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("config"),
                ContextState.valueOf(rs.getString("state")),
                Instant.ofEpochMilli(rs.getLong("start_time")),
                end == null ? null : Instant.ofEpochMilli(end),
                rs.getString("application_id"),
                rs.getString("ui_url"),
                error == null ? null : Json.read(error, ErrorInfo.class),
                Jdbc.nullableLong(rs, "pid"),
                rs.getString("log_path"));
    }
}
