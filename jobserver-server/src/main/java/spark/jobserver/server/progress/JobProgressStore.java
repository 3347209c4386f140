package spark.jobserver.server.progress;

import java.util.Optional;
import spark.jobserver.protocol.ProgressReport;

/** The last progress report of ended jobs, kept with each job and deleted with it. */
public interface JobProgressStore {

    /** Records (or replaces) the report of job {@code jobId}, which must be stored. */
    void save(String jobId, ProgressReport report);

    Optional<ProgressReport> get(String jobId);
}
