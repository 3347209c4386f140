-- Jobs that returned a java.io.InputStream: their bytes are a file under <rootdir>/results, relayed to
-- clients from disk; this row says the job's result is that stream (and how long it is).
CREATE TABLE stream_results (
    job_id      VARCHAR(64) PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    size_bytes  BIGINT      NOT NULL,
    stored_time BIGINT      NOT NULL
);
