package spark.jobserver.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import spark.jobserver.server.config.ServerConfig;

/**
 * Real databases for the store contract tests: H2 always; PostgreSQL and MariaDB/MySQL at the
 * addresses given by environment variables (loopback defaults, as {@code .ci/databases.sh} sets them up).
 * Each test JVM works in a scratch schema (PostgreSQL) or database (MySQL) of its own, dropped when the
 * JVM exits, so concurrent runs do not meet.
 *
 * <p>A backend that is not reachable is skipped with a message on standard error, unless
 * {@code JOBSERVER_REQUIRE_ALL_DATABASES=true} (set by {@code .ci/run}), which makes it a failure.
 */
public final class TestDatabases {
    public static final String REQUIRE_ALL = "JOBSERVER_REQUIRE_ALL_DATABASES";

    /** The databases every store must work on. */
    public enum Backend {
        H2,
        POSTGRESQL,
        MYSQL;

        String env(String what, String fallback) {
            String value = System.getenv("JOBSERVER_TEST_" + name() + "_" + what);
            return value == null || value.isBlank() ? fallback : value;
        }

        String url() {
            return switch (this) {
                case H2 -> "jdbc:h2:mem:unused";
                case POSTGRESQL -> env("URL", "jdbc:postgresql://127.0.0.1:5432/jobserver_test");
                case MYSQL -> env("URL", "jdbc:mariadb://127.0.0.1:3306/jobserver_test");
            };
        }

        String user() {
            return env("USER", "jobserver");
        }

        String password() {
            return env("PASSWORD", "jobserver");
        }
    }

    private static final Map<Backend, Database> SHARED = new ConcurrentHashMap<>();
    private static final Map<Backend, String> UNREACHABLE = new ConcurrentHashMap<>();

    private TestDatabases() {}

    /**
     * The backend's database for this JVM, migrated and emptied of rows. Skips (or, in CI, fails) the
     * calling test when the backend is not reachable.
     */
    public static synchronized Database clean(Backend backend) {
        Database database = SHARED.computeIfAbsent(backend, b -> Database.open(scratch(b), tempDir()));
        deleteAllRows(database);
        return database;
    }

    /**
     * Connection settings of a new, empty schema (PostgreSQL) or database (MySQL), or a new in-memory
     * H2 database; dropped when the JVM exits. Skips or fails like {@link #clean}.
     */
    public static ServerConfig.Database scratch(Backend backend) {
        String name = "jobserver_test_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        if (backend == Backend.H2) {
            return new ServerConfig.Database("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "", "", 10);
        }
        checkReachable(backend);
        String url = backend.url();
        execute(backend, url, backend == Backend.POSTGRESQL ? "CREATE SCHEMA " + name : "CREATE DATABASE " + name);
        String dropSql = backend == Backend.POSTGRESQL ? "DROP SCHEMA " + name + " CASCADE" : "DROP DATABASE " + name;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                execute(backend, url, dropSql);
            } catch (RuntimeException e) {
                System.err.println("Could not drop the scratch " + name + ": " + e.getMessage());
            }
        }));
        String scratchUrl = backend == Backend.POSTGRESQL
                ? url + (url.contains("?") ? "&" : "?") + "currentSchema=" + name
                : withDatabase(url, name);
        return new ServerConfig.Database(scratchUrl, backend.user(), backend.password(), 10);
    }

    private static void checkReachable(Backend backend) {
        String problem = UNREACHABLE.computeIfAbsent(backend, b -> {
            DriverManager.setLoginTimeout(5);
            try (Connection c = DriverManager.getConnection(b.url(), b.user(), b.password())) {
                return c.isValid(5) ? "" : b + " at " + b.url() + " does not answer";
            } catch (SQLException e) {
                String message =
                        b + " is not reachable at " + b.url() + " as " + b.user() + " (" + e.getMessage() + ")";
                if (!required()) {
                    System.err.println("WARNING: " + message + ": its store contract tests are SKIPPED. Start it with"
                            + " `source .ci/databases.sh` (as root), or set " + REQUIRE_ALL + "=true to fail instead.");
                }
                return message;
            }
        });
        if (problem.isEmpty()) {
            return;
        }
        if (required()) {
            Assertions.fail(problem + "; " + REQUIRE_ALL + " is set, so every database must be there");
        }
        Assumptions.abort(problem);
    }

    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv(REQUIRE_ALL));
    }

    private static String withDatabase(String url, String database) {
        // jdbc:mariadb://host:port/db?options -> jdbc:mariadb://host:port/<database>?options
        int hosts = url.indexOf("//");
        int slash = url.indexOf('/', hosts + 2);
        int query = url.indexOf('?', hosts + 2);
        String options = query < 0 ? "" : url.substring(query);
        String prefix = slash < 0 || (query >= 0 && slash > query)
                ? url.substring(0, query < 0 ? url.length() : query)
                : url.substring(0, slash);
        return prefix + "/" + database + options;
    }

    private static void execute(Backend backend, String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, backend.user(), backend.password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(backend + ": " + sql + " failed: " + e.getMessage(), e);
        }
    }

    /** Empties every table, children first. */
    public static void deleteAllRows(Database database) {
        try (Connection c = database.connection();
                Statement s = c.createStatement()) {
            for (String table : new String[] {
                "jobs", "contexts", "servers", "binaries", "binary_chunks", "binary_contents", "idempotency_keys"
            }) {
                s.executeUpdate("DELETE FROM " + table);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("emptying the test database failed: " + e.getMessage(), e);
        }
    }

    /** How many rows {@code table} has. */
    public static long count(Database database, String table) {
        try (Connection c = database.connection();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT COUNT(*) FROM " + table.toLowerCase(Locale.ROOT))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("jobserver-store-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
