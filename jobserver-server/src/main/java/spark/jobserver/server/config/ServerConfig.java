package spark.jobserver.server.config;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.store.StoreSettings;

/**
 * The server's settings, bound once at start from HOCON with the original project's key names.
 * Every problem is reported at once, secrets masked; {@link #toString()} and {@link #describe()} mask them too.
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
        StoreSettings stores,
        Driver driver,
        Config contextDefaults,
        Config contexts,
        JobHistory jobHistory,
        String sparkHome) {

    private static final Logger LOG = LoggerFactory.getLogger(ServerConfig.class);

    /**
     * @param sparkHome {@code spark.jobserver.spark-home}: the Spark distribution (absolute path) whose
     *     {@code bin/spark-submit} launches drivers unless a context sets {@code spark.home}; empty for the Spark
     *     runtime bundled with the server
     */
    public ServerConfig {
        requireNonNull(raw, "raw is null");
        requireNonNull(rootDir, "rootDir is null");
        requireNonNull(sparkHome, "sparkHome is null");
        requireNonNull(stores, "stores is null");
    }

    /** Connection settings of the metadata database. */
    public record Database(String jdbcUrl, String user, String password, int poolSize, String driverClass) {
        /** Without a driver class: the driver is found by URL. */
        public Database(String jdbcUrl, String user, String password, int poolSize) {
            this(jdbcUrl, user, password, poolSize, "");
        }

        @Override
        public String toString() {
            return "Database[jdbcUrl=" + Configs.maskSecretsInText(jdbcUrl) + ", user=" + user
                    + ", password=****, poolSize=" + poolSize + ", driverClass=" + driverClass + "]";
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

    /**
     * How driver JVMs are launched and supervised.
     *
     * @param environment variables every driver process gets on this host (the submitter's, in cluster deploy
     *     mode): {@code HADOOP_CONF_DIR} and the like; over the server's own environment
     */
    public record Driver(
            String jar,
            String classpath,
            String javaHome,
            List<String> jvmOptions,
            Duration heartbeatInterval,
            Duration heartbeatTimeout,
            Duration progressInterval,
            Duration reconnectGracePeriod,
            Duration reattachTimeout,
            long maxMessageSize,
            boolean classDataSharing,
            String serverUrl,
            Map<String, String> environment) {
        public Driver {
            jvmOptions = List.copyOf(jvmOptions);
            environment = Map.copyOf(environment);
        }

        /** Secret system properties among the JVM options ({@code -Djavax.net.ssl.keyStorePassword=...}) masked. */
        @Override
        public String toString() {
            return "Driver[jar=" + jar + ", classpath=" + classpath + ", javaHome=" + javaHome + ", jvmOptions="
                    + jvmOptions.stream().map(Configs::maskSecretsInText).toList() + ", heartbeatInterval="
                    + heartbeatInterval + ", heartbeatTimeout=" + heartbeatTimeout + ", progressInterval="
                    + progressInterval + ", reconnectGracePeriod="
                    + reconnectGracePeriod + ", reattachTimeout=" + reattachTimeout + ", maxMessageSize="
                    + maxMessageSize + ", classDataSharing=" + classDataSharing + ", serverUrl="
                    + Configs.maskSecretsInText(serverUrl) + ", environment=" + maskedEnvironment() + "]";
        }

        private Map<String, String> maskedEnvironment() {
            Map<String, String> masked = new TreeMap<>();
            environment.forEach((k, v) -> masked.put(k, Configs.isSecretKey(k) ? "****" : v));
            return masked;
        }
    }

    /**
     * Loads the bundled defaults, overridden by {@code userFile} (may be null), overridden by -D properties.
     *
     * @throws IllegalArgumentException naming every problem of the configuration, secrets not shown
     */
    public static ServerConfig load(Path userFile) {
        return from(Configs.load(userFile));
    }

    /**
     * Binds an already loaded and resolved configuration. Keys of the original that this server ignores are
     * logged, one warning each; those it refuses ({@link UnsupportedSettings}) are problems like any other.
     *
     * @throws IllegalArgumentException naming every problem of the configuration, secrets not shown
     */
    public static ServerConfig from(Config c) {
        ConfigProblems problems = new ConfigProblems(c);
        for (String warning : UnsupportedSettings.check(c, problems)) {
            LOG.warn("{}", warning);
        }
        String js = "spark.jobserver.";
        Path root = problems.bind(
                js + "rootdir", () -> Path.of(c.getString(js + "rootdir")).toAbsolutePath(), Path.of("."));
        String master = problems.bind("spark.master", () -> c.getString("spark.master"), "local[4]");
        String timeouts = js + (master.startsWith("yarn") ? "yarn-" : "");
        ServerConfig config = new ServerConfig(
                c,
                problems.bind(js + "port", () -> c.getInt(js + "port"), 8090),
                problems.bind(js + "bind-address", () -> c.getString(js + "bind-address"), "0.0.0.0"),
                root,
                master,
                problems.bind("spark.submit.deployMode", () -> c.getString("spark.submit.deployMode"), "client"),
                problems.bind(
                        js + "max-jobs-per-context",
                        () -> ConfigProblems.atLeast(1, c.getInt(js + "max-jobs-per-context")),
                        8),
                problems.bind(
                        timeouts + "context-creation-timeout",
                        () -> c.getDuration(timeouts + "context-creation-timeout"),
                        Duration.ofSeconds(60)),
                problems.bind(
                        timeouts + "context-deletion-timeout",
                        () -> c.getDuration(timeouts + "context-deletion-timeout"),
                        Duration.ofSeconds(15)),
                problems.bind(
                        js + "named-object-creation-timeout",
                        () -> c.getDuration(js + "named-object-creation-timeout"),
                        Duration.ofSeconds(60)),
                problems.bind(
                        "akka.http.server.request-timeout",
                        () -> c.getDuration("akka.http.server.request-timeout"),
                        Duration.ofSeconds(40)),
                problems.bind(
                        "akka.http.server.parsing.max-content-length",
                        () -> c.getBytes("akka.http.server.parsing.max-content-length"),
                        30L << 20),
                problems.bind(
                        js + "daorootdir",
                        () -> Path.of(c.getString(js + "daorootdir")).toAbsolutePath(),
                        root),
                problems.bind(
                        js + "datadao.rootdir",
                        () -> Path.of(c.getString(js + "datadao.rootdir")).toAbsolutePath(),
                        root),
                new Database(
                        problems.bind(js + "sqldao.jdbc.url", () -> c.getString(js + "sqldao.jdbc.url"), ""),
                        problems.bind(js + "sqldao.jdbc.user", () -> c.getString(js + "sqldao.jdbc.user"), ""),
                        problems.bind(js + "sqldao.jdbc.password", () -> c.getString(js + "sqldao.jdbc.password"), ""),
                        problems.bind(
                                js + "sqldao.dbcp.maxactive",
                                () -> ConfigProblems.atLeast(1, c.getInt(js + "sqldao.dbcp.maxactive")),
                                20),
                        problems.bind(js + "sqldao.jdbc-driver", () -> c.getString(js + "sqldao.jdbc-driver"), "")),
                StoreSettings.from(c, problems),
                driver(c, problems),
                problems.bind(
                        "spark.context-settings", () -> c.getConfig("spark.context-settings"), ConfigFactory.empty()),
                problems.bind("spark.contexts", () -> c.getConfig("spark.contexts"), ConfigFactory.empty()),
                jobHistory(c, problems),
                problems.bind(js + "spark-home", () -> sparkHome(c, js + "spark-home"), ""));
        problems.throwIfAny("Invalid configuration");
        return config;
    }

    private static Driver driver(Config c, ConfigProblems problems) {
        String d = "spark.jobserver.driver.";
        return new Driver(
                problems.bind(d + "jar", () -> c.getString(d + "jar"), ""),
                problems.bind(d + "classpath", () -> driverClasspath(c), ""),
                problems.bind(d + "java-home", () -> c.getString(d + "java-home"), ""),
                problems.bind(d + "jvm-options", () -> c.getStringList(d + "jvm-options"), List.of()),
                problems.bind(
                        d + "heartbeat-interval",
                        () -> ConfigProblems.positive(c.getDuration(d + "heartbeat-interval")),
                        Duration.ofSeconds(5)),
                problems.bind(
                        d + "heartbeat-timeout",
                        () -> ConfigProblems.positive(c.getDuration(d + "heartbeat-timeout")),
                        Duration.ofSeconds(60)),
                problems.bind(
                        d + "progress-interval",
                        () -> ConfigProblems.notNegative(c.getDuration(d + "progress-interval")),
                        Duration.ofSeconds(1)),
                problems.bind(
                        d + "reconnect-grace-period",
                        () -> c.getDuration(d + "reconnect-grace-period"),
                        Duration.ofMinutes(5)),
                problems.bind(
                        d + "reattach-timeout", () -> c.getDuration(d + "reattach-timeout"), Duration.ofSeconds(60)),
                problems.bind(d + "max-message-size", () -> c.getBytes(d + "max-message-size"), 64L << 20),
                problems.bind(d + "class-data-sharing", () -> c.getBoolean(d + "class-data-sharing"), true),
                problems.bind(d + "server-url", () -> httpUrlOrEmpty(c.getString(d + "server-url")), ""),
                problems.bind(d + "environment", () -> environment(c.getConfig(d + "environment")), Map.of()));
    }

    /** Variable names to text values ({@code HADOOP_CONF_DIR = "/etc/hadoop/conf"}); nested objects refused. */
    private static Map<String, String> environment(Config env) {
        Map<String, String> vars = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : env.root().entrySet()) {
            ConfigValueType type = e.getValue().valueType();
            if (type == ConfigValueType.OBJECT || type == ConfigValueType.LIST) {
                throw new IllegalArgumentException("variable " + e.getKey() + " must be a single value");
            }
            vars.put(
                    e.getKey(),
                    type == ConfigValueType.NULL
                            ? ""
                            : String.valueOf(e.getValue().unwrapped()));
        }
        return vars;
    }

    /** Blank, or a directory with an executable {@code bin/spark-submit}, made absolute. */
    private static String sparkHome(Config c, String key) {
        String value = c.getString(key).strip();
        if (value.isEmpty()) {
            return value;
        }
        Path home = Path.of(value).toAbsolutePath().normalize();
        if (!java.nio.file.Files.isExecutable(home.resolve("bin").resolve("spark-submit"))) {
            String origin = c.getValue(key).origin().description();
            throw new IllegalArgumentException("'" + value + "'"
                    + (origin.contains("env var") ? " (the environment variable SPARK_HOME)" : "")
                    + " is not a Spark distribution: it has no executable bin/spark-submit");
        }
        return home.toString();
    }

    /** Blank, or an absolute http(s) URL without a trailing slash. */
    private static String httpUrlOrEmpty(String value) {
        String url = value.strip();
        if (url.isEmpty()) {
            return url;
        }
        java.net.URI uri = java.net.URI.create(url);
        if (uri.getHost() == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            throw new IllegalArgumentException("must be an absolute http(s) URL, not '" + value + "'");
        }
        return url.replaceAll("/+$", "");
    }

    private static JobHistory jobHistory(Config c, ConfigProblems problems) {
        String js = "spark.jobserver.";
        String h = js + "job-history.";
        return new JobHistory(
                problems.bind(
                        js + "dao-cleanup-after",
                        () -> ConfigProblems.notNegative(c.getDuration(js + "dao-cleanup-after")),
                        Duration.ofHours(72)),
                problems.bind(h + "max-jobs", () -> ConfigProblems.atLeast(0, c.getInt(h + "max-jobs")), 0),
                problems.bind(
                        h + "prune-interval",
                        () -> ConfigProblems.positive(c.getDuration(h + "prune-interval")),
                        Duration.ofMinutes(10)),
                problems.bind(
                        h + "max-result-size",
                        () -> ConfigProblems.atLeast(1, c.getBytes(h + "max-result-size")),
                        10L << 20),
                problems.bind(
                        h + "max-error-size",
                        () -> ConfigProblems.atLeast(1, c.getBytes(h + "max-error-size")),
                        64L << 10));
    }

    /**
     * The configuration as HOCON text for logs: secret values (and passwords in URLs) shown as {@code ****}.
     * Jobs get {@link Configs#withoutSecrets} instead, which drops the secret keys.
     */
    public String describe() {
        return Configs.masked(raw).root().render(ConfigRenderOptions.concise().setFormatted(true));
    }

    /** The bound settings, secrets masked; the whole configuration is {@link #describe()}. */
    @Override
    public String toString() {
        return "ServerConfig[port=" + port + ", bindAddress=" + bindAddress + ", rootDir=" + rootDir
                + ", sparkMaster=" + Configs.maskSecretsInText(sparkMaster) + ", deployMode=" + deployMode
                + ", maxJobsPerContext=" + maxJobsPerContext + ", contextCreationTimeout=" + contextCreationTimeout
                + ", contextDeletionTimeout=" + contextDeletionTimeout + ", namedObjectCreationTimeout="
                + namedObjectCreationTimeout + ", requestTimeout=" + requestTimeout + ", maxContentLength="
                + maxContentLength + ", binaryCacheDir=" + binaryCacheDir + ", dataDir=" + dataDir + ", database="
                + database + ", driver=" + driver + ", contextDefaults=" + Configs.maskedJson(contextDefaults)
                + ", contexts=" + Configs.maskedJson(contexts) + ", jobHistory=" + jobHistory + ", sparkHome="
                + sparkHome + "]";
    }

    private static String driverClasspath(Config c) throws Exception {
        String explicit = c.getString("spark.jobserver.driver.classpath");
        String file = c.getString("spark.jobserver.driver.classpath-file");
        if (!explicit.isBlank() || file.isBlank()) {
            return explicit;
        }
        return java.nio.file.Files.readString(Path.of(file)).trim();
    }
}
