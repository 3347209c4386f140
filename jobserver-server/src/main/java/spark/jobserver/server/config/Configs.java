package spark.jobserver.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Loading HOCON, and the rules every part of the server shares about it. */
public final class Configs {
    private static final String DEFAULTS = "jobserver-defaults.conf";
    private static final String MASK = "****";
    /**
     * Keys whose values are secrets: never logged, never shown to jobs or clients. Matched on the lower-cased
     * key, so the original's camelCase keys ({@code keystorePW}, {@code clientSecret}, {@code systemPassword})
     * are secrets too.
     */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(password|passwd|pwd|passphrase|secret|keystorepw|truststorepw|token|credential|private-?key"
                    + "|api-?key).*");
    /** {@code scheme://user:password@}: the password part of a URL's user info. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(\\w[\\w+.-]*://[^/@\\s:]*:)([^/@\\s]+)(@)");
    /**
     * {@code name=value} in a URL (JDBC and others: {@code ?password=x}, {@code &token=x}, {@code ;password=x})
     * or in JVM options ({@code -Djavax.net.ssl.keyStorePassword=x}).
     */
    private static final Pattern NAME_VALUE = Pattern.compile("(^|[?&;\\s])([\\w.-]+)=([^&;#\\s]*)");
    /** {@code key = value} or {@code "key": "value"} in HOCON text that did not parse. */
    private static final Pattern TEXT_ENTRY =
            Pattern.compile("([\\w.\"-]+)[ \\t]*(?:=|:|\\+=)[ \\t]*(\"(?:[^\"\\\\\\n]|\\\\.)*\"|[^\\n,}\\]#]+)");

    private static final Pattern SUBSTITUTION = Pattern.compile("\\$\\{\\??([^}]+)}");

    private Configs() {}

    /**
     * The bundled defaults, overridden by {@code userFile} (may be null), overridden by system properties
     * under {@code spark}, {@code akka}, {@code flyway} and {@code access-control}; resolved.
     *
     * @throws IllegalArgumentException when the file is missing, does not parse or does not resolve; the
     *     message never shows the value of a secret key
     */
    public static Config load(Path userFile) {
        return load(userFile, ConfigFactory.empty());
    }

    /** As {@link #load(Path)}, with {@code overrides} above everything else (used by tests and tools). */
    public static Config load(Path userFile, Config overrides) {
        Config user = ConfigFactory.empty();
        Config system = ConfigFactory.systemProperties();
        try {
            if (userFile != null) {
                if (!Files.isRegularFile(userFile)) {
                    throw new IllegalArgumentException("Configuration file " + userFile + " does not exist");
                }
                user = ConfigFactory.parseFile(
                        userFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            }
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
        } catch (ConfigException e) {
            // Typesafe Config quotes values in some messages ("Unquoted("hunter2") and SimpleConfigObject ...").
            Set<String> secrets = new LinkedHashSet<>();
            secrets.addAll(secretValuesInText(userFile));
            secrets.addAll(secretValues(overrides.root()));
            secrets.addAll(secretValues(system.root()));
            // No cause: its message is the unmasked one.
            throw new IllegalArgumentException("Invalid configuration: " + scrub(e.getMessage(), secrets));
        }
    }

    private static String quoted(String key) {
        return com.typesafe.config.ConfigUtil.joinPath(key);
    }

    /**
     * Parses a request body as HOCON or JSON. An empty body is an empty config. A client's HOCON reaches
     * nothing of the server's: no {@code include} (file, URL, class path), and substitutions resolve
     * within the body only, never against the server's environment variables.
     */
    public static Config parseBody(String body) {
        return ConfigFactory.parseString(
                        body,
                        ConfigParseOptions.defaults()
                                .setSyntax(ConfigSyntax.CONF)
                                .setIncluder(NoIncludes.INSTANCE))
                .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    }

    /** {@code config} as compact JSON text. */
    public static String toJson(Config config) {
        return config.root().render(ConfigRenderOptions.concise());
    }

    /** Whether a key (last path element or any element) names a secret; case does not matter. */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * {@code config} with every secret value removed, at any depth, and secrets within other values (see
     * {@link #maskSecretsInText}) replaced by {@code ****}.
     */
    public static Config withoutSecrets(Config config) {
        Config result = config;
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            if (isSecretKey(e.getKey())) {
                result = result.withoutPath(e.getKey());
            } else {
                result = withSecretsInTextMasked(result, e.getKey(), e.getValue());
            }
        }
        return result;
    }

    /**
     * {@code config} with every secret value, and every secret within another value (see
     * {@link #maskSecretsInText}), replaced by {@code ****}, for display.
     */
    public static Config masked(Config config) {
        Config result = config;
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            if (isSecretKey(e.getKey())) {
                result = result.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(MASK));
            } else {
                result = withSecretsInTextMasked(result, e.getKey(), e.getValue());
            }
        }
        return result;
    }

    /** {@code config} masked as by {@link #masked}, as one line of JSON, for logs and {@code toString}. */
    static String maskedJson(Config config) {
        return toJson(masked(config));
    }

    /** {@code config} with a string value, or the strings of a list value, masked by {@link #maskSecretsInText}. */
    private static Config withSecretsInTextMasked(Config config, String key, ConfigValue value) {
        Object unwrapped = value.unwrapped();
        Object masked;
        if (value.valueType() == ConfigValueType.STRING) {
            masked = maskSecretsInText((String) unwrapped);
        } else if (value.valueType() == ConfigValueType.LIST) {
            masked = ((List<?>) unwrapped)
                    .stream()
                            .map(o -> o instanceof String text ? maskSecretsInText(text) : o)
                            .toList();
        } else {
            return config;
        }
        return masked.equals(unwrapped) ? config : config.withValue(key, ConfigValueFactory.fromAnyRef(masked));
    }

    /**
     * {@code text} with the password of any URL's user info ({@code http://user:pw@host}) and the value of any
     * secret-looking {@code name=value} in a URL ({@code jdbc:postgresql://h/db?password=pw},
     * {@code ;password=pw}) or among options ({@code -Djavax.net.ssl.keyStorePassword=pw}) replaced by
     * {@code ****}.
     */
    static String maskSecretsInText(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = URL_USER_INFO.matcher(text).replaceAll("$1" + MASK + "$3");
        Matcher m = NAME_VALUE.matcher(result);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement =
                    isSecretKey(m.group(2)) && !m.group(3).isEmpty() ? m.group(1) + m.group(2) + "=" + MASK : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The values of every secret key in a resolved {@code config} (lists: each element), for {@link #scrub}. */
    static Set<String> secretValues(Config config) {
        try {
            return secretValues(config.root());
        } catch (ConfigException e) {
            return Set.of();
        }
    }

    private static Set<String> secretValues(ConfigObject root) {
        Set<String> values = new LinkedHashSet<>();
        collectSecretValues(root, false, values);
        return values;
    }

    private static void collectSecretValues(ConfigValue value, boolean secret, Set<String> into) {
        try {
            if (value instanceof ConfigObject object) {
                for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
                    collectSecretValues(e.getValue(), secret || isSecretKey(e.getKey()), into);
                }
            } else if (value instanceof ConfigList list) {
                for (ConfigValue element : list) {
                    collectSecretValues(element, secret, into);
                }
            } else if (secret && value.unwrapped() != null) {
                into.add(String.valueOf(value.unwrapped()));
            }
        } catch (ConfigException e) {
            // an unresolved value: there is no value to hide yet
        }
    }

    /**
     * The values given to secret-looking keys in a configuration file, read from its text so that it works
     * when the file does not parse; for values taken from the environment ({@code ${?DB_PASSWORD}}), the
     * environment's value.
     */
    private static Set<String> secretValuesInText(Path file) {
        if (file == null) {
            return Set.of();
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        Set<String> values = new LinkedHashSet<>();
        Matcher m = TEXT_ENTRY.matcher(text);
        while (m.find()) {
            if (!isSecretKey(m.group(1).replace("\"", ""))) {
                continue;
            }
            String value = m.group(2).strip();
            values.add(unquote(value));
            Matcher substitution = SUBSTITUTION.matcher(value);
            while (substitution.find()) {
                String name = substitution.group(1).strip();
                addIfPresent(values, System.getenv(name));
                addIfPresent(values, System.getProperty(name));
            }
            for (String piece : SUBSTITUTION.matcher(value).replaceAll(" ").split("[\\s{}\\[\\]]+")) {
                addIfPresent(values, unquote(piece));
            }
        }
        return values;
    }

    private static void addIfPresent(Collection<String> values, String value) {
        if (value != null && !value.isBlank()) {
            values.add(value);
        }
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }

    /**
     * {@code message} with every occurrence of any of {@code secrets} replaced by {@code ****}. A secret is
     * replaced only where it is not part of a longer word, so a short one does not garble the message.
     */
    static String scrub(String message, Collection<String> secrets) {
        if (message == null) {
            return null;
        }
        List<String> longestFirst = new ArrayList<>(secrets);
        longestFirst.removeIf(String::isBlank);
        longestFirst.sort((a, b) -> b.length() - a.length());
        String result = message;
        for (String secret : longestFirst) {
            result = Pattern.compile("(?<![\\w])" + Pattern.quote(secret) + "(?![\\w])")
                    .matcher(result)
                    .replaceAll(Matcher.quoteReplacement(MASK));
        }
        return maskSecretsInText(result);
    }
}
