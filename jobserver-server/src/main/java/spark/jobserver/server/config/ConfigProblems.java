package spark.jobserver.server.config;

import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds settings one by one and collects every problem, so that a configuration is reported whole
 * rather than one error per start. A problem with a secret key never shows the value.
 */
public final class ConfigProblems {
    private final List<String> problems = new ArrayList<>();

    /** Reads one value; may throw anything, which becomes a problem. */
    @FunctionalInterface
    public interface Getter<T> {
        T get() throws Exception;
    }

    /**
     * The value {@code getter} reads, or {@code fallback} with the failure recorded.
     *
     * @param key the key read, to name it and to hide its value when it is a secret
     */
    public <T> T bind(String key, Getter<T> getter, T fallback) {
        try {
            return getter.get();
        } catch (ConfigException e) {
            add(key, e.getMessage());
        } catch (Exception e) {
            add(key, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return fallback;
    }

    /** Records a problem with {@code key}; for a secret key only that its value is invalid. */
    public void add(String key, String problem) {
        problems.add(Configs.isSecretKey(key) ? key + ": invalid value (not shown: the key holds a secret)" : problem);
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
}
