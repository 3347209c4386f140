package spark.jobserver.server.jobs;

import java.time.Instant;
import java.util.Optional;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;

/** Stream results in the metadata database (table {@code stream_results}). */
public final class JdbcStreamResultStore implements StreamResultStore {
    private final Jdbc jdbc;

    public JdbcStreamResultStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void insert(String jobId, long size, Instant stored) {
        jdbc.update(
                "INSERT INTO stream_results (job_id, size_bytes, stored_time) VALUES (?, ?, ?)",
                jobId,
                size,
                stored.toEpochMilli());
    }

    @Override
    public Optional<Long> size(String jobId) {
        return jdbc.queryOne("SELECT size_bytes FROM stream_results WHERE job_id = ?", rs -> rs.getLong(1), jobId);
    }

    @Override
    public void delete(String jobId) {
        jdbc.update("DELETE FROM stream_results WHERE job_id = ?", jobId);
    }
}
