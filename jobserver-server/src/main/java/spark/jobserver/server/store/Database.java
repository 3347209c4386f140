package spark.jobserver.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
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
        H2("h2"),
        POSTGRESQL("postgresql"),
        MYSQL("mysql");

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
            throw new IllegalArgumentException(
                    "Unsupported JDBC URL (H2, PostgreSQL and MySQL/MariaDB are): " + jdbcUrl);
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
        hikari.setJdbcUrl(jdbcUrl(settings.jdbcUrl(), dialect));
        driverClass(settings.driverClass(), settings.jdbcUrl()).ifPresent(hikari::setDriverClassName);
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setPoolName("jobserver-db");
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            if (dialect == Dialect.H2 && h2InUse(e)) {
                throw new StoreException(
                        "The H2 database " + settings.jdbcUrl() + " is in use by another running server process. H2"
                                + " serves one server only: stop the other server, give this one its own"
                                + " spark.jobserver.rootdir, or put several servers on PostgreSQL or MySQL"
                                + " (docs/ha.md)",
                        e);
            }
            throw e;
        }
        try {
            migrations(dataSource, dialect).load().migrate();
        } catch (RuntimeException | SQLException e) {
            dataSource.close();
            throw e instanceof RuntimeException re
                    ? re
                    : new StoreException("Opening the database failed: " + e.getMessage(), e);
        }
        return new Database(dataSource, dialect);
    }

    /** Whether opening H2 failed because another process holds the database file ("already in use", 90020). */
    private static boolean h2InUse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getErrorCode() == 90020) {
                return true;
            }
        }
        return false;
    }

    /** The schema migrations of the dialect, for {@code dataSource}. */
    static FluentConfiguration migrations(DataSource dataSource, Dialect dialect) throws SQLException {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + dialect.folder)
                .placeholders(Map.of("binary_collation", binaryCollation(dataSource, dialect)));
    }

    /**
     * MySQL-family collation in which names compare exactly, trailing spaces included (the
     * {@code _bin} collations pad): MariaDB and MySQL 8 name theirs differently.
     */
    private static String binaryCollation(DataSource dataSource, Dialect dialect) throws SQLException {
        if (dialect != Dialect.MYSQL) {
            return "";
        }
        try (Connection c = dataSource.getConnection()) {
            String version = c.getMetaData().getDatabaseProductVersion();
            return version.toLowerCase(java.util.Locale.ROOT).contains("mariadb")
                    ? "utf8mb4_nopad_bin"
                    : "utf8mb4_0900_bin";
        }
    }

    /**
     * The URL as given, except that {@code jdbc:mysql:} becomes {@code jdbc:mariadb:} when no driver on
     * the class path takes MySQL URLs (the bundled MariaDB driver serves MySQL servers too), and that
     * an H2 file database writes each commit at once.
     */
    static String jdbcUrl(String url, Dialect dialect) {
        if (dialect == Dialect.H2
                && !url.startsWith("jdbc:h2:mem:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY")) {
            // H2 writes commits to its file up to half a second later by default: a killed server would
            // lose jobs it had already answered for.
            return url + ";WRITE_DELAY=0";
        }
        if (dialect == Dialect.MYSQL && url.startsWith("jdbc:mysql:") && !anyDriverAccepts(url)) {
            return "jdbc:mariadb:" + url.substring("jdbc:mysql:".length());
        }
        return url;
    }

    private static boolean anyDriverAccepts(String url) {
        try {
            DriverManager.getDriver(url);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * The configured driver class ({@code sqldao.jdbc-driver}) when it is on the class path and takes
     * this URL; otherwise none, and the driver is found by URL. The reference's default
     * ({@code org.h2.Driver}) stays in configurations that point at another database, and the driver
     * class names of MySQL's own connector need not be present: neither may stop the server.
     */
    static Optional<String> driverClass(String configured, String url) {
        if (configured == null || configured.isBlank()) {
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(configured, true, Database.class.getClassLoader());
            if (Driver.class.isAssignableFrom(type)
                    && ((Driver) type.getDeclaredConstructor().newInstance()).acceptsURL(url)) {
                return Optional.of(configured);
            }
        } catch (ReflectiveOperationException | SQLException | LinkageError e) {
            // not usable: fall back to the driver that takes the URL
        }
        return Optional.empty();
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
