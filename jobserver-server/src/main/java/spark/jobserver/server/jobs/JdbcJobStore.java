package spark.jobserver.server.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;

/** Jobs in the metadata database. */
public final class JdbcJobStore implements JobStore {
    private static final String COLUMNS =
            "id, context_id, context_name, app_name, class_path, binaries, config, status,"
                    + " start_time, end_time, result, error, callback_url";
    // Listing order: newest first, ties by id, both descending so that an index on start_time (which
    // InnoDB extends with the primary key) is read backwards, without a sort of the whole table.

    /** What a listing reads: neither results nor configs, which may be large. */
    private static final String LISTED = "id, context_id, context_name, app_name, class_path, binaries, '' AS config,"
            + " status, start_time, end_time, NULL AS result, error, callback_url";

    private static final String UNFINISHED = "('STARTED', 'RUNNING', 'RESTARTING')";
    private static final String ENDED = "('FINISHED', 'ERROR', 'KILLED')";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
    private final Jdbc jdbc;

    public JdbcJobStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void insert(JobInfo j) {
        jdbc.update(
                "INSERT INTO jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                j.jobId(),
                j.contextId(),
                j.contextName(),
                j.appName(),
                j.classPath(),
                Json.write(j.binaries()),
                j.config(),
                j.status().name(),
                j.startTime().toEpochMilli(),
                j.endTime() == null ? null : j.endTime().toEpochMilli(),
                j.result(),
                j.error() == null ? null : Json.write(j.error()),
                j.callbackUrl());
    }

    @Override
    public boolean finish(JobInfo j) {
        return jdbc.update(
                        "UPDATE jobs SET status = ?, end_time = ?, result = ?, error = ? WHERE id = ? AND status IN "
                                + UNFINISHED,
                        j.status().name(),
                        j.endTime() == null ? null : j.endTime().toEpochMilli(),
                        j.result(),
                        j.error() == null ? null : Json.write(j.error()),
                        j.jobId())
                > 0;
    }

    @Override
    public Optional<JobInfo> get(String jobId) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM jobs WHERE id = ?", JdbcJobStore::map, jobId);
    }

    @Override
    public List<JobInfo> list(int limit, JobStatus status) {
        if (status == null) {
            return jdbc.query(
                    "SELECT " + LISTED + " FROM jobs ORDER BY start_time DESC, id DESC LIMIT ?",
                    JdbcJobStore::map,
                    limit);
        }
        return jdbc.query(
                "SELECT " + LISTED + " FROM jobs WHERE status = ? ORDER BY start_time DESC, id DESC LIMIT ?",
                JdbcJobStore::map,
                status.name(),
                limit);
    }

    @Override
    public int deleteEndedBefore(Instant endedBefore) {
        return jdbc.update(
                "DELETE FROM jobs WHERE status IN " + ENDED + " AND end_time < ?", endedBefore.toEpochMilli());
    }

    @Override
    public int deleteEndedBeyond(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must not be negative");
        }
        // The first ended job not kept, in listing order; it and every older ended job go.
        Optional<Object[]> first = jdbc.queryOne(
                "SELECT start_time, id FROM jobs WHERE status IN " + ENDED
                        + " ORDER BY start_time DESC, id DESC LIMIT 1 OFFSET ?",
                rs -> new Object[] {rs.getLong(1), rs.getString(2)},
                keep);
        if (first.isEmpty()) {
            return 0;
        }
        long startTime = (Long) first.get()[0];
        return jdbc.update(
                "DELETE FROM jobs WHERE status IN " + ENDED + " AND (start_time < ? OR (start_time = ? AND id <= ?))",
                startTime,
                startTime,
                first.get()[1]);
    }

    @Override
    public List<JobInfo> unfinishedInContext(String contextId) {
        return jdbc.query(
                "SELECT " + COLUMNS + " FROM jobs WHERE context_id = ? AND status IN " + UNFINISHED,
                JdbcJobStore::map,
                contextId);
    }

    @Override
    public List<String> unfinishedUsingBinary(String appName) {
        return jdbc
                .query("SELECT id, binaries FROM jobs WHERE status IN " + UNFINISHED + " ORDER BY start_time", rs ->
                        new String[] {rs.getString(1), rs.getString(2)})
                .stream()
                .filter(row -> row[1] != null && readList(row[1]).contains(appName))
                .map(row -> row[0])
                .toList();
    }

    private static List<String> readList(String json) {
        try {
            return Json.MAPPER.readValue(json, STRINGS);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    private static JobInfo map(ResultSet rs) throws SQLException {
        Long end = Jdbc.nullableLong(rs, "end_time");
        String error = rs.getString("error");
        String binaries = rs.getString("binaries");
        return new JobInfo(
                rs.getString("id"),
                rs.getString("context_id"),
                rs.getString("context_name"),
                rs.getString("app_name"),
                rs.getString("class_path"),
                binaries == null ? List.of() : readList(binaries),
                rs.getString("config"),
                JobStatus.valueOf(rs.getString("status")),
                Instant.ofEpochMilli(rs.getLong("start_time")),
                end == null ? null : Instant.ofEpochMilli(end),
                rs.getString("result"),
                error == null ? null : Json.read(error, ErrorInfo.class),
                rs.getString("callback_url"));
    }
}
