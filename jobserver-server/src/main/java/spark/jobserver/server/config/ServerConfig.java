package spark.jobserver.server.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's settings, bound once at start from HOCON with the original project's key names.
 * Every problem is reported at once.
 */
public record ServerConfig(
        Config raw,
        int port,
        String bindAddress,
        Path rootDir,
        String sparkMaster,
        String deployMode,
        int maxJobsPerContext,
        Duration contextCreationTimeout,
        Duration contextDeletionTimeout,
        Duration namedObjectCreationTimeout,
        Duration requestTimeout,
        long maxContentLength,
        Path binaryCacheDir,
        Path dataDir,
        Database database,
        Driver driver,
        Config contextDefaults,
        Config contexts,
        JobHistory jobHistory) {

    public ServerConfig {
        requireNonNull(raw, "raw is null");
        requireNonNull(rootDir, "rootDir is null");
    }

    /** Connection settings of the metadata database. */
    public record Database(String jdbcUrl, String user, String password, int poolSize, String driverClass) {
        /** Without a driver class: the driver is found by URL. */
        public Database(String jdbcUrl, String user, String password, int poolSize) {
            this(jdbcUrl, user, password, poolSize, "");
        }

        @Override
        public String toString() {
            return "Database[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=****, poolSize=" + poolSize
                    + ", driverClass=" + driverClass + "]";
        }
    }

    /**
     * What is kept of ended jobs.
     *
     * @param cleanupAfter ended jobs and contexts older than this are deleted; zero keeps them
     * @param maxJobs at most this many ended jobs are kept, newest first; 0 for no limit
     * @param pruneInterval how often the store is pruned
     * @param maxResultSize largest job result (JSON, in UTF-8 bytes) that is stored
     * @param maxErrorSize largest job error (JSON, in UTF-8 bytes) that is stored; longer ones are cut
     */
    public record JobHistory(
            Duration cleanupAfter, int maxJobs, Duration pruneInterval, long maxResultSize, long maxErrorSize) {
        public JobHistory {
            requireNonNull(cleanupAfter, "cleanupAfter is null");
            requireNonNull(pruneInterval, "pruneInterval is null");
        }

        /** The defaults, for tools and tests that build services by hand. */
        public static JobHistory defaults() {
            return new JobHistory(Duration.ofHours(72), 0, Duration.ofMinutes(10), 10L << 20, 64L << 10);
        }
    }

    /** How driver JVMs are launched and supervised. */
    public record Driver(
            String jar,
            String classpath,
            String javaHome,
            List<String> jvmOptions,
            Duration heartbeatInterval,
            Duration heartbeatTimeout,
            Duration reconnectGracePeriod,
            Duration reattachTimeout,
            long maxMessageSize,
            boolean classDataSharing) {
        public Driver {
            jvmOptions = List.copyOf(jvmOptions);
        }
    }

    /** Loads the bundled defaults, overridden by {@code userFile} (may be null), overridden by -D properties. */
    public static ServerConfig load(Path userFile) {
        return from(Configs.load(userFile));
    }

    /** Binds an already loaded and resolved configuration. */
    public static ServerConfig from(Config c) {
        List<String> problems = new ArrayList<>();
        String js = "spark.jobserver.";
        Path root = bind(problems, () -> Path.of(c.getString(js + "rootdir")).toAbsolutePath(), Path.of("."));
        String master = bind(problems, () -> c.getString("spark.master"), "local[4]");
        boolean yarn = master.startsWith("yarn");
        String classpath = bind(problems, () -> driverClasspath(c), "");
        ServerConfig config = new ServerConfig(
                c,
                bind(problems, () -> c.getInt(js + "port"), 8090),
                bind(problems, () -> c.getString(js + "bind-address"), "0.0.0.0"),
                root,
                master,
                bind(problems, () -> c.getString("spark.submit.deployMode"), "client"),
                bind(problems, () -> positive(c.getInt(js + "max-jobs-per-context"), js + "max-jobs-per-context"), 8),
                bind(
                        problems,
                        () -> c.getDuration(js + (yarn ? "yarn-" : "") + "context-creation-timeout"),
                        Duration.ofSeconds(60)),
                bind(
                        problems,
                        () -> c.getDuration(js + (yarn ? "yarn-" : "") + "context-deletion-timeout"),
                        Duration.ofSeconds(15)),
                bind(problems, () -> c.getDuration(js + "named-object-creation-timeout"), Duration.ofSeconds(60)),
                bind(problems, () -> c.getDuration("akka.http.server.request-timeout"), Duration.ofSeconds(40)),
                bind(problems, () -> c.getBytes("akka.http.server.parsing.max-content-length"), 30L << 20),
                bind(problems, () -> Path.of(c.getString(js + "daorootdir")).toAbsolutePath(), root),
                bind(
                        problems,
                        () -> Path.of(c.getString(js + "datadao.rootdir")).toAbsolutePath(),
                        root),
                new Database(
                        bind(problems, () -> c.getString(js + "sqldao.jdbc.url"), ""),
                        bind(problems, () -> c.getString(js + "sqldao.jdbc.user"), ""),
                        bind(problems, () -> c.getString(js + "sqldao.jdbc.password"), ""),
                        bind(
                                problems,
                                () -> positive(c.getInt(js + "sqldao.dbcp.maxactive"), js + "sqldao.dbcp.maxactive"),
                                20),
                        bind(problems, () -> c.getString(js + "sqldao.jdbc-driver"), "")),
                new Driver(
                        bind(problems, () -> c.getString(js + "driver.jar"), ""),
                        classpath,
                        bind(problems, () -> c.getString(js + "driver.java-home"), ""),
                        bind(problems, () -> c.getStringList(js + "driver.jvm-options"), List.of()),
                        bind(problems, () -> c.getDuration(js + "driver.heartbeat-interval"), Duration.ofSeconds(5)),
                        bind(problems, () -> c.getDuration(js + "driver.heartbeat-timeout"), Duration.ofSeconds(60)),
                        bind(
                                problems,
                                () -> c.getDuration(js + "driver.reconnect-grace-period"),
                                Duration.ofMinutes(5)),
                        bind(problems, () -> c.getDuration(js + "driver.reattach-timeout"), Duration.ofSeconds(60)),
                        bind(problems, () -> c.getBytes(js + "driver.max-message-size"), 64L << 20),
                        bind(problems, () -> c.getBoolean(js + "driver.class-data-sharing"), true)),
                bind(problems, () -> c.getConfig("spark.context-settings"), ConfigFactory.empty()),
                bind(problems, () -> c.getConfig("spark.contexts"), ConfigFactory.empty()),
                new JobHistory(
                        bind(
                                problems,
                                () -> notNegative(c.getDuration(js + "dao-cleanup-after"), js + "dao-cleanup-after"),
                                Duration.ofHours(72)),
                        bind(
                                problems,
                                () -> notNegative(c.getInt(js + "job-history.max-jobs"), js + "job-history.max-jobs"),
                                0),
                        bind(
                                problems,
                                () -> positive(
                                        c.getDuration(js + "job-history.prune-interval"),
                                        js + "job-history.prune-interval"),
                                Duration.ofMinutes(10)),
                        bind(
                                problems,
                                () -> positive(
                                        c.getBytes(js + "job-history.max-result-size"),
                                        js + "job-history.max-result-size"),
                                10L << 20),
                        bind(
                                problems,
                                () -> positive(
                                        c.getBytes(js + "job-history.max-error-size"),
                                        js + "job-history.max-error-size"),
                                64L << 10)));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
        return config;
    }

    /** The configuration without secrets, as HOCON text, for logs and for jobs. */
    public String describe() {
        return Configs.withoutSecrets(raw)
                .root()
                .render(ConfigRenderOptions.concise().setFormatted(true));
    }

    private static String driverClasspath(Config c) throws Exception {
        String explicit = c.getString("spark.jobserver.driver.classpath");
        String file = c.getString("spark.jobserver.driver.classpath-file");
        if (!explicit.isBlank() || file.isBlank()) {
            return explicit;
        }
        return java.nio.file.Files.readString(Path.of(file)).trim();
    }

    private static int notNegative(int value, String key) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative, was " + value);
        }
        return value;
    }

    private static Duration notNegative(Duration value, String key) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(key + " must not be negative, was " + value);
        }
        return value;
    }

    private static Duration positive(Duration value, String key) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    private static long positive(long value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, was " + value);
        }
        return value;
    }

    private static int positive(int value, String key) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, was " + value);
        }
        return value;
    }

    private interface Getter<T> {
        T get() throws Exception;
    }

    private static <T> T bind(List<String> problems, Getter<T> getter, T fallback) {
        try {
            return getter.get();
        } catch (ConfigException e) {
            problems.add(e.getMessage());
        } catch (Exception e) {
            problems.add(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return fallback;
    }
}
