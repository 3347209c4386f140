package spark.jobserver.server.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.store.Database;

/**
 * One migrated in-memory H2 database for all the service harnesses of a test JVM: migrating a new one
 * costs hundreds of milliseconds, emptying its tables almost nothing. Harnesses run one after another.
 */
final class SharedDatabase {
    private static Database database;

    private SharedDatabase() {}

    /** The shared database with every table emptied (the migrations' history kept). */
    static synchronized Database emptied(ServerConfig config) {
        if (database == null) {
            database = Database.open(config.database(), config.rootDir());
        }
        try (Connection c = database.connection();
                Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                    + " WHERE TABLE_SCHEMA = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            s.execute("SET REFERENTIAL_INTEGRITY FALSE");
            for (String table : tables) {
                if (!table.equalsIgnoreCase("flyway_schema_history")) {
                    s.execute("TRUNCATE TABLE \"" + table + "\"");
                }
            }
            s.execute("SET REFERENTIAL_INTEGRITY TRUE");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot empty the test database", e);
        }
        return database;
    }
}
