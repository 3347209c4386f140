package spark.jobserver.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseTest {

    @Test
    void theDialectFollowsTheUrl() {
        assertThat(Database.Dialect.of("jdbc:h2:file:/tmp/x")).isEqualTo(Database.Dialect.H2);
        assertThat(Database.Dialect.of("jdbc:postgresql://db/js")).isEqualTo(Database.Dialect.POSTGRESQL);
        assertThat(Database.Dialect.of("jdbc:mysql://db/js")).isEqualTo(Database.Dialect.MYSQL);
        assertThat(Database.Dialect.of("jdbc:mariadb://db/js")).isEqualTo(Database.Dialect.MYSQL);
        assertThatThrownBy(() -> Database.Dialect.of("jdbc:oracle:thin:@db"))
                .hasMessageContaining("Unsupported JDBC URL");
    }

    @Test
    void mysqlUrlsGoToTheBundledMariaDbDriver() {
        assertThat(Database.jdbcUrl("jdbc:mysql://db:3306/js?useSSL=false", Database.Dialect.MYSQL))
                .isEqualTo("jdbc:mariadb://db:3306/js?useSSL=false");
        assertThat(Database.jdbcUrl("jdbc:mariadb://db/js", Database.Dialect.MYSQL))
                .isEqualTo("jdbc:mariadb://db/js");
        assertThat(Database.jdbcUrl("jdbc:postgresql://db/js", Database.Dialect.POSTGRESQL))
                .isEqualTo("jdbc:postgresql://db/js");
    }

    @Test
    void anH2FileDatabaseWritesEveryCommitAtOnce() {
        assertThat(Database.jdbcUrl("jdbc:h2:file:/tmp/db", Database.Dialect.H2))
                .isEqualTo("jdbc:h2:file:/tmp/db;WRITE_DELAY=0");
        assertThat(Database.jdbcUrl("jdbc:h2:file:/tmp/db;write_delay=100", Database.Dialect.H2))
                .isEqualTo("jdbc:h2:file:/tmp/db;write_delay=100");
        assertThat(Database.jdbcUrl("jdbc:h2:mem:x", Database.Dialect.H2)).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void theConfiguredDriverIsUsedOnlyWhenItFitsTheUrl() {
        // the reference's default driver class stays in configurations that point elsewhere
        assertThat(Database.driverClass("org.h2.Driver", "jdbc:postgresql://db/js"))
                .isEmpty();
        assertThat(Database.driverClass("org.h2.Driver", "jdbc:h2:mem:x")).contains("org.h2.Driver");
        assertThat(Database.driverClass("org.postgresql.Driver", "jdbc:postgresql://db/js"))
                .contains("org.postgresql.Driver");
        // MySQL's own connector is not bundled; its class name must not stop the server
        assertThat(Database.driverClass("com.mysql.cj.jdbc.Driver", "jdbc:mysql://db/js"))
                .isEmpty();
        assertThat(Database.driverClass("", "jdbc:h2:mem:x")).isEmpty();
    }
}
