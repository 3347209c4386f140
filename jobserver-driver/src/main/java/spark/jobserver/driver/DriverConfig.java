package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import spark.jobserver.protocol.BinaryRef;

/**
 * What the server tells a driver in the file it writes before the launch (the driver's single
 * argument). Holds no secret: the secret comes from the environment.
 *
 * @param contextId the context's id, which the driver authenticates as
 * @param contextName the context's name, for messages and the Spark application name
 * @param serverWsUrl the server's WebSocket endpoint for drivers
 * @param serverHttpUrl the server's base HTTP URL, without a trailing slash
 * @param maxJobs how many jobs may run at once ({@code spark.jobserver.max-jobs-per-context})
 * @param heartbeatInterval how often the driver reports itself alive
 * @param progressInterval how often, at most, the driver reports a job's Spark work to the server; zero: never
 * @param reconnectGracePeriod how long the driver keeps trying to reach a lost server before stopping
 * @param namedObjectCreationTimeout the default wait for a named object another job is creating
 * @param binaryCacheDir where fetched binaries are cached by hash
 * @param dataCacheDir where data files fetched from the server are cached
 * @param contextSettings the context's effective settings ({@code context.name}, {@code is-adhoc}, ...)
 * @param jobConfigFallback the server configuration minus secrets; every job configuration falls back to it
 * @param contextBinaries the context's own binaries ({@code driver.context-binaries}: its
 *     {@code dependent-jar-uris} as the server resolved them), on the class path before the context is made
 */
record DriverConfig(
        String contextId,
        String contextName,
        URI serverWsUrl,
        URI serverHttpUrl,
        int maxJobs,
        Duration heartbeatInterval,
        Duration progressInterval,
        Duration reconnectGracePeriod,
        Duration namedObjectCreationTimeout,
        Path binaryCacheDir,
        Path dataCacheDir,
        Config contextSettings,
        Config jobConfigFallback,
        List<BinaryRef> contextBinaries) {

    static final String DEFAULT_FACTORY = "spark.jobserver.context.DefaultSparkContextFactory";

    DriverConfig {
        requireNonNull(contextId, "contextId is null");
        requireNonNull(contextName, "contextName is null");
        requireNonNull(serverWsUrl, "serverWsUrl is null");
        requireNonNull(serverHttpUrl, "serverHttpUrl is null");
        requireNonNull(heartbeatInterval, "heartbeatInterval is null");
        requireNonNull(progressInterval, "progressInterval is null");
        if (progressInterval.isNegative()) {
            throw new IllegalArgumentException("progressInterval must not be negative");
        }
        requireNonNull(reconnectGracePeriod, "reconnectGracePeriod is null");
        requireNonNull(namedObjectCreationTimeout, "namedObjectCreationTimeout is null");
        requireNonNull(binaryCacheDir, "binaryCacheDir is null");
        requireNonNull(dataCacheDir, "dataCacheDir is null");
        requireNonNull(contextSettings, "contextSettings is null");
        requireNonNull(jobConfigFallback, "jobConfigFallback is null");
        contextBinaries = List.copyOf(requireNonNull(contextBinaries, "contextBinaries is null"));
        if (maxJobs < 1) {
            throw new IllegalArgumentException("maxJobs must be at least 1");
        }
    }

    /**
     * Whether the context stops after a failed job: the setting {@code stop-context-on-job-error} when
     * given, else {@code streamingDefault} (true for streaming contexts, as in the original).
     *
     * @throws IllegalArgumentException when the setting is not a boolean
     */
    boolean stopContextOnJobError(boolean streamingDefault) {
        String key = "stop-context-on-job-error";
        if (!contextSettings.hasPath(key)) {
            return streamingDefault;
        }
        try {
            return contextSettings.getBoolean(key);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(
                    "context setting " + key + " must be true or false, not '"
                            + contextSettings.getValue(key).unwrapped() + "'",
                    e);
        }
    }

    /** The class name of the context factory the context settings ask for. */
    String contextFactory() {
        return contextSettings.hasPath("context-factory")
                ? contextSettings.getString("context-factory")
                : DEFAULT_FACTORY;
    }

    /**
     * Reads the server-written file.
     *
     * @throws IllegalArgumentException naming every problem in the file at once
     */
    static DriverConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("driver configuration file " + file + " does not exist");
        }
        Config root;
        try {
            root = ConfigFactory.parseFile(
                            file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("cannot read driver configuration " + file + ": " + e.getMessage(), e);
        }
        return from(root);
    }

    /**
     * Binds the parsed file.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    static DriverConfig from(Config root) {
        List<String> problems = new ArrayList<>();
        Config driver = read(problems, "driver", root::getConfig, ConfigFactory.empty());
        String contextId = read(problems, "driver.context-id", p -> nonBlank(root.getString(p), p), null);
        String contextName = read(problems, "driver.context-name", p -> nonBlank(root.getString(p), p), null);
        URI ws = read(problems, "driver.server-ws-url", p -> uri(root.getString(p), p, Set.of("ws", "wss")), null);
        URI http =
                read(problems, "driver.server-http-url", p -> uri(root.getString(p), p, Set.of("http", "https")), null);
        int maxJobs = read(problems, "driver.max-jobs", p -> positive(root.getInt(p), p), 8);
        Duration heartbeat = duration(problems, root, "driver.heartbeat-interval", Duration.ofSeconds(5));
        // zero turns progress reports off
        Duration progress = read(
                problems,
                "driver.progress-interval",
                p -> {
                    Duration d = root.getDuration(p);
                    if (d.isNegative()) {
                        throw new IllegalArgumentException(p + " must not be negative, not " + d);
                    }
                    return d;
                },
                Duration.ofSeconds(1));
        Duration grace = duration(problems, root, "driver.reconnect-grace-period", Duration.ofMinutes(5));
        Duration namedObjects =
                duration(problems, root, "driver.named-object-creation-timeout", Duration.ofSeconds(60));
        // Relative paths (and the defaults) are in the driver's own working directory: the context's directory
        // for a driver on the server's host, the cluster's for one on a cluster node.
        Path binaries = driver.hasPath("binary-cache-dir")
                ? read(
                        problems,
                        "driver.binary-cache-dir",
                        p -> Path.of(root.getString(p)).toAbsolutePath(),
                        null)
                : Path.of("binaries").toAbsolutePath();
        Path data = driver.hasPath("data-cache-dir")
                ? read(
                        problems,
                        "driver.data-cache-dir",
                        p -> Path.of(root.getString(p)).toAbsolutePath(),
                        null)
                : Path.of("data-cache").toAbsolutePath();
        Config settings = read(problems, "context-settings", root::getConfig, ConfigFactory.empty());
        Config fallback = read(problems, "job-config-fallback", root::getConfig, ConfigFactory.empty());
        List<BinaryRef> contextBinaries =
                driver.hasPath("context-binaries") ? binaries(problems, root, "driver.context-binaries") : List.of();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid driver configuration: " + String.join("; ", problems));
        }
        return new DriverConfig(
                contextId,
                contextName,
                ws,
                stripSlash(http),
                maxJobs,
                heartbeat,
                progress,
                grace,
                namedObjects,
                binaries,
                data,
                settings,
                fallback,
                contextBinaries);
    }

    /** A list of {@code {name, sha256, kind}} (uploaded binaries) or {@code {name, uri}} (anything else). */
    private static List<BinaryRef> binaries(List<String> problems, Config root, String path) {
        List<? extends Config> entries = read(problems, path, root::getConfigList, null);
        if (entries == null) {
            return List.of();
        }
        List<BinaryRef> refs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i);
            String where = path + "[" + i + "]";
            try {
                refs.add(new BinaryRef(
                        entry.getString("name"),
                        entry.hasPath("sha256") ? entry.getString("sha256") : null,
                        entry.hasPath("uri") ? entry.getString("uri") : null,
                        entry.hasPath("kind") ? entry.getEnum(BinaryRef.Kind.class, "kind") : null));
            } catch (ConfigException | IllegalArgumentException | NullPointerException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
        return refs;
    }

    private static <T> T read(List<String> problems, String path, Function<String, T> reader, T whenMissing) {
        try {
            return reader.apply(path);
        } catch (ConfigException.Missing e) {
            if (whenMissing == null) {
                problems.add(path + " is missing");
            }
            return whenMissing;
        } catch (ConfigException | IllegalArgumentException e) {
            problems.add(e.getMessage());
            return whenMissing;
        }
    }

    private static Duration duration(List<String> problems, Config root, String path, Duration whenMissing) {
        return read(
                problems,
                path,
                p -> {
                    Duration d = root.getDuration(p);
                    if (d.isNegative() || d.isZero()) {
                        throw new IllegalArgumentException(p + " must be positive, not " + d);
                    }
                    return d;
                },
                whenMissing);
    }

    private static String nonBlank(String value, String path) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(path + " is blank");
        }
        return value;
    }

    private static int positive(int value, String path) {
        if (value < 1) {
            throw new IllegalArgumentException(path + " must be at least 1, not " + value);
        }
        return value;
    }

    private static URI uri(String value, String path, Set<String> schemes) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null
                    || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        path + " must be an absolute " + schemes + " URL, not '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(path + " is not a URL: " + e.getMessage(), e);
        }
    }

    private static URI stripSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
    }
}
