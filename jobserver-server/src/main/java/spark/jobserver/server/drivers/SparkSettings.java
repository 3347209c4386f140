package spark.jobserver.server.drivers;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import spark.jobserver.server.http.ApiException;

/**
 * A context's settings as Spark sees them: the reference's mapping to Spark configuration
 * ({@code num-cpu-cores} → {@code spark.cores.max}, {@code memory-per-node} → {@code spark.executor.memory},
 * {@code passthrough}, {@code launcher.spark.*}, {@code spark.*}), the master and deploy mode, the driver's
 * heap, the Spark distribution it is launched from ({@code spark.home}), and the checks that refuse settings
 * which cannot work before any driver is launched.
 */
public final class SparkSettings {
    /** Spark's byte strings: a number with an optional unit (b, k, kb, m, mb, ...; no unit = MiB for memory). */
    private static final Pattern MEMORY = Pattern.compile("(?i)\\d+\\s*(b|k|kb|m|mb|g|gb|t|tb|p|pb)?");

    private static final Pattern MASTER = Pattern.compile(
            "local|local\\[(\\d+|\\*)(,\\d+)?]|local-cluster\\[\\d+,\\d+,\\d+]|spark://\\S+|yarn|k8s://\\S+");
    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    private static final List<String> MEMORY_KEYS =
            List.of("memory-per-node", "spark.executor.memory", "spark.driver.memory", "launcher.spark.driver.memory");
    private static final List<String> COUNT_KEYS = List.of("num-cpu-cores", "spark.cores.max", "spark.executor.cores");
    private static final List<String> DURATION_KEYS = List.of("context-init-timeout", "forked-jvm-init-timeout");
    private static final List<String> OBJECT_KEYS = List.of("passthrough", "launcher", "hadoop", "streaming");
    private static final List<String> STRING_KEYS = List.of(
            "context-factory", "spark.proxy.user", "launcher.spark.master", "spark.submit.deployMode", "spark.home");

    private SparkSettings() {}

    /**
     * Refuses settings that would launch a driver bound to fail.
     *
     * @throws ApiException 400 naming every setting that cannot work
     */
    public static void validate(Config settings, String defaultMaster) {
        List<String> problems = new ArrayList<>();
        for (String key : OBJECT_KEYS) {
            if (settings.hasPath(key) && settings.getValue(key).valueType() != ConfigValueType.OBJECT) {
                problems.add(key + " must be an object of settings");
            }
        }
        for (String key : STRING_KEYS) {
            if (isPresent(settings, key) && !isScalar(settings, key)) {
                problems.add(key + " must be a single value, not " + describe(settings.getValue(key)));
            }
        }
        for (String key : MEMORY_KEYS) {
            scalar(settings, key, problems).ifPresent(value -> {
                if (!MEMORY.matcher(value.trim()).matches()) {
                    problems.add(key + ": '" + value + "' is not a memory size (e.g. 512m, 2g)");
                }
            });
        }
        for (String key : COUNT_KEYS) {
            scalar(settings, key, problems).ifPresent(value -> {
                if (!isPositiveInt(value)) {
                    problems.add(key + ": '" + value + "' is not a whole number of at least 1");
                }
            });
        }
        for (String key : DURATION_KEYS) {
            scalar(settings, key, problems).ifPresent(value -> {
                try {
                    Duration d = settings.getDuration(key);
                    if (d.isNegative() || d.isZero()) {
                        problems.add(key + ": '" + value + "' must be a positive duration");
                    }
                } catch (ConfigException e) {
                    problems.add(key + ": '" + value + "' is not a duration (e.g. 60s, 2m)");
                }
            });
        }
        scalar(settings, "streaming.batch_interval", problems).ifPresent(value -> {
            if (!isPositiveLong(value)) {
                problems.add("streaming.batch_interval: '" + value + "' is not a number of milliseconds of at least 1");
            }
        });
        scalar(settings, "context-factory", problems).ifPresent(value -> {
            if (!CLASS_NAME.matcher(value).matches()) {
                problems.add("context-factory: '" + value + "' is not a class name");
            }
        });
        scalar(settings, "spark.home", problems)
                .ifPresent(
                        value -> sparkHomeProblem(value).ifPresent(problem -> problems.add("spark.home: " + problem)));
        if (problems.isEmpty()) {
            String master = master(settings, defaultMaster);
            if (!MASTER.matcher(master).matches()) {
                problems.add("launcher.spark.master: '" + master
                        + "' is not a Spark master (local[N], spark://host:port, yarn, k8s://...)");
            }
            String mode = deployMode(settings, "client");
            if (!mode.equals("client") && !mode.equals("cluster")) {
                problems.add("spark.submit.deployMode: '" + mode + "' must be client or cluster");
            } else if (mode.equals("cluster") && isLocalMaster(master)) {
                problems.add("spark.submit.deployMode: cluster deploy mode needs a cluster master, not " + master);
            }
            if (mode.equals("cluster")
                    && master.startsWith("k8s://")
                    && isPresent(settings, "spark.kubernetes.driver.pod.name")) {
                problems.add("spark.kubernetes.driver.pod.name: the server names a cluster-mode driver's pod itself"
                        + " (jobserver-<context id>), to find and kill it");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.error(400, "Invalid context settings: " + String.join("; ", problems));
        }
    }

    /** The context's master: {@code launcher.spark.master}, else the server's {@code spark.master}. */
    public static String master(Config settings, String defaultMaster) {
        return settings.hasPath("launcher.spark.master") ? settings.getString("launcher.spark.master") : defaultMaster;
    }

    /** The context's deploy mode: {@code launcher.spark.submit.deployMode}, {@code spark.submit.deployMode}, else the default. */
    public static String deployMode(Config settings, String defaultMode) {
        for (String key : List.of("launcher.spark.submit.deployMode", "spark.submit.deployMode")) {
            if (settings.hasPath(key)) {
                return settings.getString(key).trim().toLowerCase(Locale.ROOT);
            }
        }
        return defaultMode;
    }

    /**
     * The Spark distribution the context's driver is launched from: its {@code spark.home}, else the server's
     * {@code defaultHome}; empty (blank) for the Spark runtime bundled with the server.
     */
    static Optional<Path> sparkHome(Config settings, String defaultHome) {
        String home = settings.hasPath("spark.home") ? settings.getString("spark.home") : defaultHome;
        return home.isBlank() ? Optional.empty() : Optional.of(Path.of(home.strip()));
    }

    /**
     * Why {@code home} cannot serve as a Spark distribution, if it cannot: it must be blank (the bundled
     * runtime) or the absolute path of a directory with an executable {@code bin/spark-submit}.
     */
    static Optional<String> sparkHomeProblem(String home) {
        if (home.isBlank()) {
            return Optional.empty();
        }
        Path path = Path.of(home.strip());
        if (!path.isAbsolute()) {
            return Optional.of("'" + home + "' is not an absolute path");
        }
        if (!Files.isExecutable(path.resolve("bin").resolve("spark-submit"))) {
            return Optional.of("'" + home + "' is not a Spark distribution (it has no executable bin/spark-submit)");
        }
        return Optional.empty();
    }

    static boolean isLocalMaster(String master) {
        return master.startsWith("local");
    }

    /** The Spark configuration of a context, from its settings as the reference maps them. */
    static Map<String, String> sparkConf(Config settings, String master) {
        Map<String, String> conf = new LinkedHashMap<>();
        if (settings.hasPath("num-cpu-cores")) {
            conf.put("spark.cores.max", settings.getString("num-cpu-cores"));
        }
        if (settings.hasPath("memory-per-node")) {
            conf.put("spark.executor.memory", settings.getString("memory-per-node"));
        }
        if (settings.hasPath("passthrough")) {
            flatten(settings.getConfig("passthrough"), "", conf);
        }
        if (settings.hasPath("launcher.spark")) {
            Map<String, String> launcher = new LinkedHashMap<>();
            flatten(settings.getConfig("launcher.spark"), "spark.", launcher);
            launcher.remove("spark.master");
            launcher.remove("spark.driver.memory");
            conf.putAll(launcher);
        }
        if (settings.hasPath("spark")) {
            flatten(settings.getConfig("spark"), "spark.", conf);
        }
        conf.remove("spark.master");
        conf.remove("spark.proxy.user");
        conf.remove("spark.home"); // which spark-submit runs the driver, not a setting of its context
        if (isLocalMaster(master)) {
            conf.putIfAbsent("spark.driver.host", "127.0.0.1");
            conf.putIfAbsent("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }

    /** The driver JVM's heap: {@code launcher.spark.driver.memory}, else {@code spark.driver.memory}, else 1g. */
    static String driverMemory(Config settings) {
        for (String key : List.of("launcher.spark.driver.memory", "spark.driver.memory")) {
            if (settings.hasPath(key)) {
                return javaMemory(settings.getString(key));
            }
        }
        return "1g";
    }

    /** Spark memory strings ("1g", "512m", "2gb") as -Xmx values. */
    static String javaMemory(String sparkMemory) {
        String s = sparkMemory.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.matches("\\d+[kmgt]?")) {
            throw new IllegalArgumentException("Invalid driver memory: " + sparkMemory);
        }
        return s;
    }

    private static void flatten(Config config, String prefix, Map<String, String> into) {
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            Object value = e.getValue().unwrapped();
            into.put(
                    prefix + e.getKey(),
                    value instanceof List<?> list
                            ? String.join(
                                    ",", list.stream().map(String::valueOf).toList())
                            : String.valueOf(value));
        }
    }

    private static boolean isPresent(Config settings, String key) {
        try {
            return settings.hasPath(key);
        } catch (ConfigException e) {
            return false; // a parent of the key is not an object: reported with that parent
        }
    }

    private static boolean isScalar(Config settings, String key) {
        ConfigValueType type = settings.getValue(key).valueType();
        return type != ConfigValueType.OBJECT && type != ConfigValueType.LIST && type != ConfigValueType.NULL;
    }

    /** The value of {@code key} as text when it is set to a single value; a problem when it is set to more. */
    private static java.util.Optional<String> scalar(Config settings, String key, List<String> problems) {
        if (!isPresent(settings, key)) {
            return java.util.Optional.empty();
        }
        if (!isScalar(settings, key)) {
            String problem = key + " must be a single value, not " + describe(settings.getValue(key));
            if (!problems.contains(problem)) {
                problems.add(problem);
            }
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.valueOf(settings.getValue(key).unwrapped()));
    }

    private static String describe(ConfigValue value) {
        return switch (value.valueType()) {
            case OBJECT -> "an object";
            case LIST -> "a list";
            case NULL -> "null";
            default -> "'" + value.unwrapped() + "'";
        };
    }

    private static boolean isPositiveInt(String value) {
        try {
            return Integer.parseInt(value.trim()) >= 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isPositiveLong(String value) {
        try {
            return Long.parseLong(value.trim()) >= 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
