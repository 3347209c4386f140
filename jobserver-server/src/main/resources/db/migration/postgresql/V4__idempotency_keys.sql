-- Idempotency-Key requests (docs/retries.md): one row per key, scoped by user, method and route and stored
-- as the SHA-256 of that (hex), never the raw key. The primary key is what lets exactly one of two servers
-- sharing the database run a key's first request. Times are epoch milliseconds.
CREATE TABLE idempotency_keys (
    key_hash     VARCHAR(64)  PRIMARY KEY,
    fingerprint  VARCHAR(64)  NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    instance_id  VARCHAR(255) NOT NULL,
    created_at   BIGINT       NOT NULL,
    status       INT,
    content_type VARCHAR(255),
    body         TEXT
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
