package spark.jobserver.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Binds settings one by one and collects every problem, so that a configuration is reported whole
 * rather than one error per start. A problem with a secret key never shows the value; given the
 * configuration, no problem shows the value of any of its secret keys, wherever it appears (Typesafe
 * Config quotes bad values: "Could not parse duration number 'hunter2'").
 */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();
    private final Set<String> secrets;

    /** Problems masked by key only. */
    public ConfigProblems() {
        this.secrets = Set.of();
    }

    /** Problems masked by key and scrubbed of the values of every secret key of {@code config}. */
    public ConfigProblems(Config config) {
        this.secrets = Configs.secretValues(config);
    }

    /** Reads one value; may throw anything, which becomes a problem. */
    @FunctionalInterface
    public interface Getter<T> {
        T get() throws Exception;
    }

    /**
     * The value {@code getter} reads, or {@code fallback} with the failure recorded. A {@link ConfigException}
     * is recorded with its message (which names the key and where it was set); an
     * {@link IllegalArgumentException} as {@code key: message} (as is when it starts with the key), so
     * validations throw it with a message such as "must be at least 1, was 0".
     *
     * @param key the key read, to name it and to hide its value when it is a secret
     */
    public <T> T bind(String key, Getter<T> getter, T fallback) {
        try {
            return getter.get();
        } catch (ConfigException e) {
            add(key, e.getMessage());
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            add(key, message.startsWith(key) ? message : key + ": " + message);
        } catch (Exception e) {
            add(key, key + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return fallback;
    }

    /**
     * As {@link #bind}, reading {@code key} of {@code config} with {@code getter} ({@code Config::getString},
     * {@code Config::getDuration}, ...) when it is set, else {@code absent}.
     */
    public <T> T bindOptional(Config config, String key, BiFunction<Config, String, T> getter, T absent) {
        return bind(key, () -> config.hasPath(key) ? getter.apply(config, key) : absent, absent);
    }

    /** Records a problem with {@code key}; for a secret key only that its value is invalid. */
    public void add(String key, String problem) {
        problems.add(
                Configs.isSecretKey(key)
                        ? key + ": invalid value (not shown: the key holds a secret)"
                        : Configs.scrub(problem, secrets));
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(problems);
    }

    /**
     * @throws IllegalArgumentException naming every problem, when there is any
     */
    public void throwIfAny(String what) {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(what + ":\n  - " + String.join("\n  - ", problems));
        }
    }

    /** For a getter: {@code value}, or an {@link IllegalArgumentException} when it is below {@code min}. */
    public static long atLeast(long min, long value) {
        if (value < min) {
            throw new IllegalArgumentException("must be at least " + min + ", was " + value);
        }
        return value;
    }

    /** For a getter: {@code value}, or an {@link IllegalArgumentException} when it is below {@code min}. */
    public static int atLeast(int min, int value) {
        return (int) atLeast(min, (long) value);
    }

    /** For a getter: {@code value}, or an {@link IllegalArgumentException} when it is zero or negative. */
    public static Duration positive(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("must be positive, was " + value);
        }
        return value;
    }

    /** For a getter: {@code value}, or an {@link IllegalArgumentException} when it is negative. */
    public static Duration notNegative(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("must not be negative, was " + value);
        }
        return value;
    }
}
