-- Binary bytes move to chunks of about 1 MiB, written and read one at a time: no database driver
-- has to hold a whole binary in memory (PostgreSQL's and MariaDB's drivers read a value whole), and
-- no single value approaches a server's packet limit. A binary's chunks and its binary_contents row
-- are written in one transaction, so a binary is either whole or absent.
CREATE TABLE binary_chunks (
    blob_id VARCHAR(64) NOT NULL,
    seq     INT         NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- Existing bytes become one chunk each, under a blob id equal to their hash.
ALTER TABLE binary_contents ADD COLUMN blob_id VARCHAR(64);
INSERT INTO binary_chunks (blob_id, seq, data) SELECT sha256, 0, content FROM binary_contents;
UPDATE binary_contents SET blob_id = sha256;
ALTER TABLE binary_contents ALTER COLUMN blob_id SET NOT NULL;
ALTER TABLE binary_contents DROP COLUMN content;

-- Retention prunes ended jobs and contexts by end time.
CREATE INDEX jobs_ended ON jobs (status, end_time);
CREATE INDEX contexts_ended ON contexts (state, end_time);
