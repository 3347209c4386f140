package spark.jobserver.server.jobs;

import java.time.Instant;
import java.util.Optional;

/** Which jobs' results are streams (the bytes live in a file), and how long each is. */
public interface StreamResultStore {

    void insert(String jobId, long size, Instant stored);

    /** The size of the job's stream result; empty when the job has none. */
    Optional<Long> size(String jobId);

    void delete(String jobId);
}
