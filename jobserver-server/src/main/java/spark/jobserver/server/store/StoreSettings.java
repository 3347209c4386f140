package spark.jobserver.server.store;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.net.URI;
import java.util.Set;
import spark.jobserver.server.config.ConfigProblems;

/**
 * Where the server keeps its data, chosen by the original's keys: {@code spark.jobserver.binarydao.class} (the
 * binaries' bytes in the SQL database or in HDFS, {@code binarydao.dir}) and {@code spark.jobserver.metadatadao.class}
 * (binaries' versions, contexts, jobs and their results in the SQL database or in ZooKeeper,
 * {@code zookeeperdao.*}). A class name this server does not implement is refused: starting on another store
 * would start without the user's data.
 *
 * @param binariesDir the Hadoop FileSystem URI of the binaries' bytes; null unless {@code binaries} is HDFS
 */
public record StoreSettings(Binaries binaries, String binariesDir, Metadata metadata, ZooKeeperSettings zookeeper) {
    private static final String JS = "spark.jobserver.";
    static final Set<String> SQL_BINARIES =
            Set.of("spark.jobserver.io.SqlBinaryObjectsDAO", "spark.jobserver.io.BinarySqlDAO");
    static final Set<String> HDFS_BINARIES =
            Set.of("spark.jobserver.io.HdfsBinaryObjectsDAO", "spark.jobserver.io.HdfsBinaryDAO");
    static final String SQL_METADATA = "spark.jobserver.io.MetaDataSqlDAO";
    static final String ZOOKEEPER_METADATA = "spark.jobserver.io.zookeeper.MetaDataZookeeperDAO";

    /** Where binaries' bytes are. */
    public enum Binaries {
        SQL,
        HDFS
    }

    /** Where binaries' versions, contexts, jobs, results and progress reports are. */
    public enum Metadata {
        SQL,
        ZOOKEEPER
    }

    /** {@code spark.jobserver.zookeeperdao}, with the original's key names and defaults. */
    public record ZooKeeperSettings(
            String connectionString,
            String dir,
            int retries,
            int sleepMsBetweenRetries,
            int connectionTimeoutMs,
            int sessionTimeoutMs) {
        public static final ZooKeeperSettings DEFAULTS =
                new ZooKeeperSettings("localhost:2181", "jobserver/db", 3, 1000, 2350, 10000);

        public ZooKeeperSettings {
            requireNonNull(connectionString, "connectionString is null");
            requireNonNull(dir, "dir is null");
        }
    }

    public StoreSettings {
        requireNonNull(binaries, "binaries is null");
        requireNonNull(metadata, "metadata is null");
        requireNonNull(zookeeper, "zookeeper is null");
        if (binaries == Binaries.HDFS) {
            requireNonNull(binariesDir, "binariesDir is null");
        }
    }

    /** Everything in the SQL database: the default. */
    public static StoreSettings sql() {
        return new StoreSettings(Binaries.SQL, null, Metadata.SQL, ZooKeeperSettings.DEFAULTS);
    }

    /** Binds the store keys of {@code c}, adding every problem to {@code problems}. */
    public static StoreSettings from(Config c, ConfigProblems problems) {
        Binaries binaries = problems.bind(JS + "binarydao.class", () -> binaries(c), Binaries.SQL);
        Metadata metadata = problems.bind(JS + "metadatadao.class", () -> metadata(c), Metadata.SQL);
        String dir = binaries != Binaries.HDFS
                ? null
                : problems.bind(JS + "binarydao.dir", () -> binariesDir(c), "file:/unused");
        String zk = JS + "zookeeperdao.";
        ZooKeeperSettings d = ZooKeeperSettings.DEFAULTS;
        ZooKeeperSettings zookeeper = new ZooKeeperSettings(
                problems.bind(
                        zk + "connection-string",
                        () -> string(c, zk + "connection-string", d.connectionString()),
                        d.connectionString()),
                problems.bind(zk + "dir", () -> zookeeperDir(c, zk + "dir"), d.dir()),
                problems.bind(
                        zk + "curator.retries", () -> atLeast(c, zk + "curator.retries", 0, d.retries()), d.retries()),
                problems.bind(
                        zk + "curator.sleepMsBetweenRetries",
                        () -> atLeast(c, zk + "curator.sleepMsBetweenRetries", 1, d.sleepMsBetweenRetries()),
                        d.sleepMsBetweenRetries()),
                problems.bind(
                        zk + "curator.connectionTimeoutMs",
                        () -> atLeast(c, zk + "curator.connectionTimeoutMs", 1, d.connectionTimeoutMs()),
                        d.connectionTimeoutMs()),
                problems.bind(
                        zk + "curator.sessionTimeoutMs",
                        () -> atLeast(c, zk + "curator.sessionTimeoutMs", 1, d.sessionTimeoutMs()),
                        d.sessionTimeoutMs()));
        return new StoreSettings(binaries, binaries == Binaries.HDFS ? dir : null, metadata, zookeeper);
    }

    private static Binaries binaries(Config c) {
        String key = JS + "binarydao.class";
        String name = c.hasPath(key) ? c.getString(key).strip() : "";
        if (name.isEmpty() || SQL_BINARIES.contains(name)) {
            return Binaries.SQL;
        }
        if (HDFS_BINARIES.contains(name)) {
            return Binaries.HDFS;
        }
        throw new IllegalArgumentException(key + " = " + name + ": not a store this server has, so it would start"
                + " without the binaries you stored. Set one of " + sorted(SQL_BINARIES, HDFS_BINARIES)
                + " (HDFS needs spark.jobserver.binarydao.dir), or remove the key to keep them in the SQL database");
    }

    private static Metadata metadata(Config c) {
        String key = JS + "metadatadao.class";
        String name = c.hasPath(key) ? c.getString(key).strip() : "";
        if (name.isEmpty() || name.equals(SQL_METADATA)) {
            return Metadata.SQL;
        }
        if (name.equals(ZOOKEEPER_METADATA)) {
            return Metadata.ZOOKEEPER;
        }
        throw new IllegalArgumentException(key + " = " + name + ": not a store this server has, so it would start"
                + " without the jobs, contexts and binaries you had. Set " + SQL_METADATA + " or " + ZOOKEEPER_METADATA
                + " (with spark.jobserver.zookeeperdao.*), or remove the key to keep them in the SQL database");
    }

    private static String binariesDir(Config c) {
        String key = JS + "binarydao.dir";
        if (!c.hasPath(key) || c.getString(key).isBlank()) {
            throw new IllegalArgumentException(key + ": must be set when spark.jobserver.binarydao.class names"
                    + " HDFS: the directory of the binaries, e.g. hdfs://namenode:8020/sjs/binaries");
        }
        String dir = c.getString(key).strip();
        try {
            URI uri = new URI(dir);
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new IllegalArgumentException(key + ": " + dir + " has no path");
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(key + ": not a URI: " + e.getMessage());
        }
        return dir;
    }

    private static String zookeeperDir(Config c, String key) {
        String dir = string(c, key, ZooKeeperSettings.DEFAULTS.dir()).strip();
        String trimmed = dir.replaceAll("^/+|/+$", "");
        if (trimmed.isEmpty() || trimmed.contains("//")) {
            throw new IllegalArgumentException(key + ": not a ZooKeeper path: \"" + dir + "\"");
        }
        return trimmed;
    }

    private static String string(Config c, String key, String fallback) {
        return c.hasPath(key) ? c.getString(key) : fallback;
    }

    private static int atLeast(Config c, String key, int least, int fallback) {
        int value = c.hasPath(key) ? c.getInt(key) : fallback;
        return ConfigProblems.atLeast(least, value);
    }

    private static String sorted(Set<String> a, Set<String> b) {
        return String.join(
                ", ",
                java.util.stream.Stream.concat(a.stream().sorted(), b.stream().sorted())
                        .toList());
    }

    /** Only for messages: what is in use, for the start-up log. */
    public String describe() {
        return "binaries' bytes in " + (binaries == Binaries.HDFS ? binariesDir : "the SQL database")
                + ", metadata in "
                + (metadata == Metadata.ZOOKEEPER
                        ? "ZooKeeper " + zookeeper.connectionString() + "/" + zookeeper.dir()
                        : "the SQL database");
    }
}
