package spark.jobserver.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys of spark-jobserver 0.12 that this server does not support, in one table. A key that is set is either
 * ignored with a warning saying what happens instead, or, where ignoring it would lose the user's data (a
 * legacy DAO class naming a store this server does not have), refused: the server does not start. Keys are
 * "set" when the configuration has them; the bundled defaults set none of them (a test checks it), except
 * where the default is what this server does anyway ({@code context-per-jvm = true}).
 */
final class UnsupportedSettings {
    private static final String JS = "spark.jobserver.";

    /** {@code key} is ignored when {@code when} holds; {@code instead} says what happens. */
    private record Ignored(String key, When when, String instead) {}

    @FunctionalInterface
    private interface When {
        /** @throws ConfigException when the value has an unexpected type: ignored all the same */
        boolean test(Config config, String key);
    }

    private static final When SET = (c, k) -> true;
    private static final When TRUE = Config::getBoolean;
    private static final When FALSE = (c, k) -> !c.getBoolean(k);
    private static final When NOT_EMPTY = (c, k) -> switch (c.getValue(k).valueType()) {
        case LIST -> !c.getList(k).isEmpty();
        case STRING -> !c.getString(k).isBlank();
        case NULL -> false;
        default -> true;
    };

    /** Checked in this order; a key naming an object stands for every key under it, each warned on its own. */
    private static final List<Ignored> IGNORED = List.of(
            new Ignored(JS + "context-per-jvm", FALSE, "every context runs in its own driver JVM anyway"),
            new Ignored(
                    JS + "short-timeout",
                    SET,
                    "there is no generic ask timeout; requests wait on the database and on drivers under their own"
                            + " timeouts (context-creation-timeout, a sync job's timeout, ...)"),
            new Ignored(
                    JS + "dao-timeout",
                    SET,
                    "database calls are plain JDBC calls on the connection pool, with no timeout of their own"),
            new Ignored(
                    JS + "context-lookup-timeout",
                    SET,
                    "PUT /contexts?reset=reboot reads the contexts from the database, with nothing to time out"),
            new Ignored(
                    JS + "startH2Server",
                    TRUE,
                    "no H2 TCP server is started: the H2 database is embedded in this server; to share a"
                            + " database, use PostgreSQL or MySQL (spark.jobserver.sqldao.jdbc.url)"),
            new Ignored(
                    JS + "ha.masters",
                    NOT_EMPTY,
                    "the Akka cluster of the original is not used: several servers share one PostgreSQL or MySQL"
                            + " database with spark.jobserver.ha.enabled = true (docs/ha.md)"),
            new Ignored(JS + "sqldao.slick-driver", SET, "the SQL dialect follows spark.jobserver.sqldao.jdbc.url"),
            new Ignored(
                    JS + "sqldao.dbcp.enabled",
                    SET,
                    "the connection pool (HikariCP) is always on, sized by spark.jobserver.sqldao.dbcp.maxactive"),
            new Ignored(
                    JS + "sqldao.dbcp.maxidle",
                    SET,
                    "the connection pool (HikariCP) is sized by spark.jobserver.sqldao.dbcp.maxactive alone"),
            new Ignored(
                    JS + "sqldao.dbcp.initialsize",
                    SET,
                    "the connection pool (HikariCP) is sized by spark.jobserver.sqldao.dbcp.maxactive alone"),
            new Ignored(
                    "flyway",
                    SET,
                    "the schema is created and upgraded by this server's own migrations (db/migration/<dialect>)"
                            + " at every start"),
            new Ignored(
                    JS + "cache-on-upload",
                    FALSE,
                    "an uploaded binary is always put in the local cache (spark.jobserver.daorootdir) at upload"),
            new Ignored(
                    JS + "kill-context-on-supervisor-down",
                    SET,
                    "a driver that loses the server retries it for spark.jobserver.driver.reconnect-grace-period,"
                            + " then stops its context"),
            new Ignored(
                    JS + "manager-initialization-timeout",
                    SET,
                    "a context's driver must be up within spark.jobserver.context-creation-timeout"),
            new Ignored(
                    JS + "network-address-resolver",
                    SET,
                    "drivers dial the server at its bind-address (127.0.0.1 when it listens on every address)"),
            new Ignored(
                    JS + "zookeeperdao.autopurge",
                    SET,
                    "ended jobs and contexts are pruned by dao-cleanup-after and job-history.*, in ZooKeeper too"),
            new Ignored(
                    JS + "zookeeperdao.autopurge_after_hours",
                    SET,
                    "ended jobs and contexts are pruned by dao-cleanup-after and job-history.*, in ZooKeeper too"),
            new Ignored(
                    JS + "startup_dao_cleanup_class",
                    NOT_EMPTY,
                    "no cleanup class is run at start; ended jobs and contexts are pruned by dao-cleanup-after and"
                            + " job-history.*"),
            new Ignored(
                    JS + "healthcheck",
                    SET,
                    "GET /healthz is built in: it answers 200 while the database is reachable"),
            new Ignored(
                    JS + "filedao",
                    SET,
                    "there is no file store: everything is kept in the SQL database (spark.jobserver.sqldao.jdbc.url)"),
            new Ignored(
                    JS + "job-result-cache-size",
                    SET,
                    "results are stored with their job in the database (up to job-history.max-result-size), with"
                            + " no cache in memory"),
            new Ignored(
                    JS + "ignore-akka-hostname", SET, "there is no Akka remoting: drivers dial the server's HTTP port"),
            new Ignored(
                    JS + "cassandra",
                    SET,
                    "there is no Cassandra store: everything is kept in the SQL database"
                            + " (spark.jobserver.sqldao.jdbc.url)"),
            new Ignored(
                    "spray.can.server",
                    SET,
                    "the HTTP server reads akka.http.server.* (request-timeout, parsing.max-content-length,"
                            + " ssl-encryption, keystore, ...)"),
            new Ignored(
                    "shiro",
                    SET,
                    "authentication is configured under access-control (provider ="
                            + " spark.jobserver.auth.ShiroAccessControl, shiro.config.path); this block does not"
                            + " turn it on"),
            new Ignored(
                    "akka.remote",
                    SET,
                    "there is no Akka remoting: drivers dial the server's HTTP port over a WebSocket, and a"
                            + " result's size is capped by spark.jobserver.driver.max-message-size"),
            new Ignored("akka.cluster", SET, "there is no Akka cluster: this server runs alone"),
            new Ignored("akka.http.server.enabledProtocols", SET, "TLS 1.2 and 1.3 are enabled, and nothing older"));

    /**
     * A legacy DAO class key: accepted silently when it names one of the original's SQL DAOs, refused otherwise.
     * ({@code binarydao.class} and {@code metadatadao.class} choose the stores: {@code store.StoreSettings}.)
     */
    private record DaoClass(String key, Set<String> sql, String what) {}

    private static final List<DaoClass> DAO_CLASSES =
            List.of(new DaoClass(JS + "jobdao", Set.of("spark.jobserver.io.JobSqlDAO"), "jobs, binaries and contexts"));

    private UnsupportedSettings() {}

    /**
     * Checks {@code config} against the table: every refusal becomes a problem in {@code problems}.
     *
     * @return one warning per ignored key that is set, in the table's order
     */
    static List<String> check(Config config, ConfigProblems problems) {
        for (DaoClass dao : DAO_CLASSES) {
            if (config.hasPath(dao.key())) {
                String name = problems.bind(dao.key(), () -> config.getString(dao.key()), null);
                if (name != null && !dao.sql().contains(name.strip())) {
                    problems.add(dao.key(), refusal(dao, name.strip()));
                }
            }
        }
        if (legacyAuthenticationWouldBeLost(config)) {
            problems.add(
                    "shiro.authentication",
                    "shiro.authentication = on: authentication is configured under access-control here, so this"
                            + " server would start with none and serve every request to anyone. Set access-control {"
                            + " provider = spark.jobserver.auth.ShiroAccessControl, shiro.config.path = ... } (and"
                            + " remove the shiro block)");
        }
        List<String> warnings = new ArrayList<>();
        for (Ignored ignored : IGNORED) {
            for (String key : leaves(config, ignored.key())) {
                if (isIgnored(config, key, ignored.when())) {
                    warnings.add(key + shown(config, key) + " is ignored: " + ignored.instead());
                }
            }
        }
        return List.copyOf(warnings);
    }

    /**
     * The original's top-level {@code shiro { authentication = on }} with no provider under access-control: the
     * user meant the API to be protected, and ignoring the block would open it.
     */
    private static boolean legacyAuthenticationWouldBeLost(Config config) {
        if (!config.hasPath("shiro.authentication") || !isIgnored(config, "shiro.authentication", TRUE)) {
            return false;
        }
        String provider = config.hasPath("access-control.provider")
                ? config.getValue("access-control.provider").unwrapped().toString()
                : "";
        return provider.isBlank() || provider.toLowerCase(java.util.Locale.ROOT).contains("allowall");
    }

    private static String refusal(DaoClass dao, String name) {
        String store;
        if (name.contains("Hdfs")) {
            store = "HDFS";
        } else if (name.contains("Zookeeper")) {
            store = "ZooKeeper";
        } else if (name.contains("Cassandra")) {
            store = "Cassandra";
        } else if (name.contains("File")) {
            store = "files";
        } else {
            store = "a store this server does not know";
        }
        return dao.key() + " = " + name + ": this server keeps " + dao.what()
                + " only in its SQL database (spark.jobserver.sqldao.jdbc.url) and cannot read them from " + store
                + ", so it would start without them. Remove the key (or set " + String.join(" or ", sorted(dao.sql()))
                + ") to start on the SQL database, which does not hold the data you had";
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    /** {@code key} itself, or every key under it when it names an object; none when it is not set. */
    private static List<String> leaves(Config config, String key) {
        if (!config.hasPath(key)) {
            return List.of();
        }
        ConfigValue value = config.getValue(key);
        if (!(value instanceof ConfigObject)) {
            return List.of(key);
        }
        List<String> leaves = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> e : config.getConfig(key).entrySet()) {
            leaves.add(key + "." + e.getKey());
        }
        leaves.sort(null);
        return leaves;
    }

    private static boolean isIgnored(Config config, String key, When when) {
        try {
            return when.test(config, key);
        } catch (ConfigException e) {
            return true; // a value of an unexpected type is ignored all the same
        }
    }

    /** {@code " = value"} for display, or nothing for a secret key or a long value. */
    private static String shown(Config config, String key) {
        if (Configs.isSecretKey(key)) {
            return "";
        }
        String value = config.getValue(key).render(ConfigRenderOptions.concise());
        return value.length() > 80 ? "" : " = " + Configs.maskSecretsInText(value);
    }
}
