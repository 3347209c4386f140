package spark.jobserver.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Loading HOCON, and the rules every part of the server shares about it. */
public final class Configs {
    private static final String DEFAULTS = "jobserver-defaults.conf";
    /** Keys whose values are secrets: never logged, never shown to jobs or clients. */
    private static final Pattern SECRET_KEY =
            Pattern.compile(".*(password|passwd|secret|keystorepw|truststorepw|token|credential|private-key).*");

    private Configs() {}

    /**
     * The bundled defaults, overridden by {@code userFile} (may be null), overridden by system properties
     * under {@code spark}, {@code akka}, {@code flyway} and {@code access-control}; resolved.
     */
    public static Config load(Path userFile) {
        return load(userFile, ConfigFactory.empty());
    }

    /** As {@link #load(Path)}, with {@code overrides} above everything else (used by tests and tools). */
    public static Config load(Path userFile, Config overrides) {
        Config user = ConfigFactory.empty();
        if (userFile != null) {
            if (!Files.isRegularFile(userFile)) {
                throw new IllegalArgumentException("Configuration file " + userFile + " does not exist");
            }
            user = ConfigFactory.parseFile(
                    userFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        }
        Config system = ConfigFactory.systemProperties();
        for (String root : new String[] {"spark", "akka", "flyway", "access-control"}) {
            if (system.hasPath(root)) {
                overrides = overrides.withFallback(system.withOnlyPath(root));
            }
        }
        Config merged = overrides.withFallback(user).withFallback(ConfigFactory.parseResources(DEFAULTS));
        // Resolve against system properties (for ${user.home}) but keep only our own top-level keys.
        Config resolved = merged.withFallback(system).resolve();
        Config result = ConfigFactory.empty();
        for (String key : merged.root().keySet()) {
            result = result.withFallback(resolved.withOnlyPath(quoted(key)));
        }
        return result;
    }

    private static String quoted(String key) {
        return com.typesafe.config.ConfigUtil.joinPath(key);
    }

    /** Parses a request body as HOCON or JSON. An empty body is an empty config. */
    public static Config parseBody(String body) {
        return ConfigFactory.parseString(body, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
                .resolve();
    }

    /** {@code config} as compact JSON text. */
    public static String toJson(Config config) {
        return config.root().render(ConfigRenderOptions.concise());
    }

    /** Whether a key (last path element or any element) names a secret. */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@code config} with every secret value removed, at any depth. */
    public static Config withoutSecrets(Config config) {
        Config result = config;
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            if (isSecretKey(e.getKey())) {
                result = result.withoutPath(e.getKey());
            }
        }
        return result;
    }

    /** {@code config} with every secret value replaced by {@code ****}, for display. */
    public static Config masked(Config config) {
        Config result = config;
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            if (isSecretKey(e.getKey())) {
                result = result.withValue(e.getKey(), ConfigValueFactory.fromAnyRef("****"));
            }
        }
        return result;
    }
}
