-- The same schema as db/migration/h2/V1; times are epoch milliseconds (BIGINT). MySQL 8 and MariaDB 10.5+.
-- ${binary_collation} (set by the server: utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL): names
-- compare exactly (case, accents, trailing spaces), as on H2 and PostgreSQL.
CREATE TABLE binary_contents (
    sha256      VARCHAR(64) PRIMARY KEY,
    size_bytes  BIGINT      NOT NULL,
    content     LONGBLOB    NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};

CREATE TABLE binaries (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    app_name    VARCHAR(255) NOT NULL,
    binary_type VARCHAR(16)  NOT NULL,
    upload_time BIGINT       NOT NULL,
    sha256      VARCHAR(64)  NOT NULL,
    CONSTRAINT binaries_content FOREIGN KEY (sha256) REFERENCES binary_contents (sha256)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
CREATE INDEX binaries_app_name ON binaries (app_name, upload_time);

CREATE TABLE contexts (
    id             VARCHAR(64)   PRIMARY KEY,
    name           VARCHAR(255)  NOT NULL,
    config         LONGTEXT      NOT NULL,
    state          VARCHAR(16)   NOT NULL,
    start_time     BIGINT        NOT NULL,
    end_time       BIGINT,
    application_id VARCHAR(255),
    ui_url         VARCHAR(1024),
    error          LONGTEXT,
    secret         VARCHAR(128),
    pid            BIGINT,
    log_path       VARCHAR(2048)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
CREATE INDEX contexts_name ON contexts (name, start_time);
CREATE INDEX contexts_state ON contexts (state);

CREATE TABLE jobs (
    id           VARCHAR(64)   PRIMARY KEY,
    context_id   VARCHAR(64),
    context_name VARCHAR(255)  NOT NULL,
    app_name     VARCHAR(255),
    class_path   VARCHAR(1024) NOT NULL,
    binaries     LONGTEXT,
    config       LONGTEXT      NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    start_time   BIGINT        NOT NULL,
    end_time     BIGINT,
    result       LONGTEXT,
    error        LONGTEXT,
    callback_url VARCHAR(2048)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = ${binary_collation};
CREATE INDEX jobs_start_time ON jobs (start_time);
CREATE INDEX jobs_status ON jobs (status, start_time);
CREATE INDEX jobs_context ON jobs (context_id);
