-- The last progress report of each ended job: its Spark jobs and stages as the driver's listener saw
-- them, as JSON. Kept with the job and deleted with it (pruning deletes jobs).
CREATE TABLE job_progress (
    job_id VARCHAR(64) PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    report CLOB        NOT NULL
);
