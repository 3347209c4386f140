package spark.jobserver.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import spark.jobserver.server.config.ServerConfig;

/** The metadata database: a connection pool, migrated to the current schema when opened. */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Dialect dialect;

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** SQL dialects with their own migrations. */
    public enum Dialect {
        H2("h2"), POSTGRESQL("postgresql"), MYSQL("mysql");

        private final String folder;

        Dialect(String folder) {
            this.folder = folder;
        }

        static Dialect of(String jdbcUrl) {
            if (jdbcUrl.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (jdbcUrl.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            if (jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.startsWith("jdbc:mariadb:")) {
                return MYSQL;
            }
            throw new IllegalArgumentException("Unsupported JDBC URL (H2, PostgreSQL and MySQL/MariaDB are): " + jdbcUrl);
        }
    }

    /** Opens the pool and applies pending migrations. */
    public static Database open(ServerConfig.Database settings, Path rootDir) {
        Dialect dialect = Dialect.of(settings.jdbcUrl());
        if (dialect == Dialect.H2) {
            try {
                Files.createDirectories(rootDir);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot create " + rootDir, e);
            }
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(settings.jdbcUrl());
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setPoolName("jobserver-db");
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration/" + dialect.folder)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        return new Database(dataSource, dialect);
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /** Whether the database answers. */
    public boolean isHealthy() {
        try (Connection c = connection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
