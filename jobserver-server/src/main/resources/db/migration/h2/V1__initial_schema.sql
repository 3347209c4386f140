-- Times are epoch milliseconds (BIGINT): portable across H2, PostgreSQL and MySQL.
CREATE TABLE binary_contents (
    sha256      VARCHAR(64) PRIMARY KEY,
    size_bytes  BIGINT      NOT NULL,
    content     BLOB        NOT NULL
);

CREATE TABLE binaries (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    app_name    VARCHAR(255) NOT NULL,
    binary_type VARCHAR(16)  NOT NULL,
    upload_time BIGINT       NOT NULL,
    sha256      VARCHAR(64)  NOT NULL REFERENCES binary_contents (sha256)
);
CREATE INDEX binaries_app_name ON binaries (app_name, upload_time);

CREATE TABLE contexts (
    id             VARCHAR(64)   PRIMARY KEY,
    name           VARCHAR(255)  NOT NULL,
    config         CLOB          NOT NULL,
    state          VARCHAR(16)   NOT NULL,
    start_time     BIGINT        NOT NULL,
    end_time       BIGINT,
    application_id VARCHAR(255),
    ui_url         VARCHAR(1024),
    error          CLOB,
    secret         VARCHAR(128),
    pid            BIGINT,
    log_path       VARCHAR(2048)
);
CREATE INDEX contexts_name ON contexts (name, start_time);
CREATE INDEX contexts_state ON contexts (state);

CREATE TABLE jobs (
    id           VARCHAR(64)   PRIMARY KEY,
    context_id   VARCHAR(64),
    context_name VARCHAR(255)  NOT NULL,
    app_name     VARCHAR(255),
    class_path   VARCHAR(1024) NOT NULL,
    binaries     CLOB,
    config       CLOB          NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    start_time   BIGINT        NOT NULL,
    end_time     BIGINT,
    result       CLOB,
    error        CLOB,
    callback_url VARCHAR(2048)
);
CREATE INDEX jobs_start_time ON jobs (start_time);
CREATE INDEX jobs_status ON jobs (status, start_time);
CREATE INDEX jobs_context ON jobs (context_id);
