-- Several servers on one database (high availability): each live server holds a lease it renews, and
-- each context not in a final state belongs to the server its driver is attached to (owner = a server id).
-- instance: the server process holding the lease, a new one at each start.
CREATE TABLE servers (
    id          VARCHAR(255)  PRIMARY KEY,
    url         VARCHAR(1024) NOT NULL,
    instance    VARCHAR(64)   NOT NULL,
    started_at  BIGINT        NOT NULL,
    lease_until BIGINT        NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
ALTER TABLE contexts ADD COLUMN owner VARCHAR(255) COLLATE ${binary_collation};
CREATE INDEX contexts_owner ON contexts (owner);
