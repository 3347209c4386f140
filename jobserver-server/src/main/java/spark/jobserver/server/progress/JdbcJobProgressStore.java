package spark.jobserver.server.progress;

import java.util.Optional;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/** Progress reports in the metadata database (table {@code job_progress}, as JSON). */
public final class JdbcJobProgressStore implements JobProgressStore {
    private final Jdbc jdbc;

    public JdbcJobProgressStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public void save(String jobId, ProgressReport report) {
        String json = Json.write(report);
        // Written once, at the job's end (one statement on every job's path); a kill's late report replaces it.
        try {
            jdbc.update("INSERT INTO job_progress (job_id, report) VALUES (?, ?)", jobId, json);
        } catch (StoreException e) {
            if (!Jdbc.isConstraintViolation(e)) {
                throw e;
            }
            jdbc.update("UPDATE job_progress SET report = ? WHERE job_id = ?", json, jobId);
        }
    }

    @Override
    public Optional<ProgressReport> get(String jobId) {
        return jdbc.queryOne("SELECT report FROM job_progress WHERE job_id = ?", rs -> rs.getString(1), jobId)
                .map(json -> Json.read(json, ProgressReport.class));
    }
}
