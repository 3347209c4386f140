package spark.jobserver.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.server.binaries.BinaryInfo;
import spark.jobserver.server.binaries.JdbcBinaryStore;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.store.TestDatabases.Backend;

/** A database of the first schema version upgrades in place when the server opens it, on every backend. */
@ParameterizedClass
@EnumSource(Backend.class)
class MigrationContractTest {
    @Parameter
    Backend backend;

    @TempDir
    Path root;

    @Test
    void aVersionOneDatabaseKeepsItsBinariesAndJobs() throws Exception {
        ServerConfig.Database settings = TestDatabases.scratch(backend);
        Database.Dialect dialect = Database.Dialect.of(settings.jdbcUrl());
        try (HikariDataSource v1 = new HikariDataSource()) {
            v1.setJdbcUrl(settings.jdbcUrl());
            v1.setUsername(settings.user());
            v1.setPassword(settings.password());
            Database.migrations(v1, dialect).target("1").load().migrate();
            try (Connection c = v1.getConnection()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO binary_contents (sha256, size_bytes, content) VALUES (?, ?, ?)")) {
                    ps.setString(1, "a".repeat(64));
                    ps.setLong(2, 5);
                    ps.setBytes(3, "PK\3\4!".getBytes(StandardCharsets.ISO_8859_1));
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO binaries (app_name, binary_type,"
                        + " upload_time, sha256) VALUES ('old-app', 'Jar', 1000, ?)")) {
                    ps.setString(1, "a".repeat(64));
                    ps.executeUpdate();
                }
                c.createStatement()
                        .executeUpdate(
                                "INSERT INTO jobs (id, context_name, class_path, config, status,"
                                        + " start_time, end_time, result) VALUES ('old-job', 'ctx', 'C', '{}', 'FINISHED', 1, 2, '42')");
            }
        }

        try (Database upgraded = Database.open(settings, root)) {
            JdbcBinaryStore binaries = new JdbcBinaryStore(upgraded);
            BinaryInfo info = binaries.latest("old-app").orElseThrow();
            assertThat(info.size()).isEqualTo(5);
            try (InputStream in = binaries.content(info.sha256()).orElseThrow()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1))
                        .isEqualTo("PK\3\4!");
            }
            JobInfo job = new JdbcJobStore(upgraded).get("old-job").orElseThrow();
            assertThat(job.result()).isEqualTo("42");
            assertThat(job.binaries()).isEqualTo(List.of());

            // and new binaries go to chunks beside the migrated one
            Path file = Files.write(root.resolve("new.jar"), new byte[] {'P', 'K', 3, 4, 9});
            binaries.save(new BinaryInfo("new-app", info.type(), info.uploadTime(), "b".repeat(64), 5), file);
            assertThat(binaries.latestOfEach()).extracting(BinaryInfo::appName).containsExactly("new-app", "old-app");
        }
        // opening again is a no-op
        try (Database again = Database.open(settings, root)) {
            assertThat(again.isHealthy()).isTrue();
        }
    }
}
