-- The last progress report of each ended job: its Spark jobs and stages as the driver's listener saw
-- them, as JSON. Kept with the job and deleted with it (pruning deletes jobs).
CREATE TABLE job_progress (
    job_id VARCHAR(64) PRIMARY KEY,
    report LONGTEXT    NOT NULL,
    FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
