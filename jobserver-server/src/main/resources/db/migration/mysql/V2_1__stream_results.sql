-- Jobs that returned a java.io.InputStream: their bytes are a file under <rootdir>/results, relayed to
-- clients from disk; this row says the job's result is that stream (and how long it is).
CREATE TABLE stream_results (
    job_id      VARCHAR(64) PRIMARY KEY,
    size_bytes  BIGINT      NOT NULL,
    stored_time BIGINT      NOT NULL,
    FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
