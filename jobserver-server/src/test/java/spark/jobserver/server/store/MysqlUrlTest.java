package spark.jobserver.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.store.TestDatabases.Backend;

/** A {@code jdbc:mysql:} URL, as MySQL users write it, works with the bundled driver against a real server. */
class MysqlUrlTest {

    @Test
    void aMysqlUrlOpensTheDatabase(@TempDir Path root) {
        ServerConfig.Database scratch = TestDatabases.scratch(Backend.MYSQL);
        String url = scratch.jdbcUrl().replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
        assertThat(url).startsWith("jdbc:mysql:");
        ServerConfig.Database settings =
                new ServerConfig.Database(url, scratch.user(), scratch.password(), 2, "com.mysql.cj.jdbc.Driver");
        try (Database database = Database.open(settings, root)) {
            assertThat(database.dialect()).isEqualTo(Database.Dialect.MYSQL);
            assertThat(database.isHealthy()).isTrue();
            assertThat(new JdbcJobStore(database).list(10, null)).isEmpty();
        }
    }
}
