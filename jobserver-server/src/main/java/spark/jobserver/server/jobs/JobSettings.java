package spark.jobserver.server.jobs;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the jobs feature, bound once at start; every problem is reported at once.
 *
 * @param resultChunkSize chunk size of streamed results in replies ({@code spark.jobserver.result-chunk-size})
 * @param maxStreamResultSize the largest stream result a driver may upload ({@code spark.jobserver.max-stream-result-size})
 * @param callbackMaxAttempts how often a callback is tried ({@code spark.jobserver.callback.max-attempts})
 * @param callbackRetryDelay the wait before the second attempt ({@code spark.jobserver.callback.retry-delay})
 * @param callbackRetryBackoff each later wait is the previous one times this ({@code spark.jobserver.callback.retry-backoff})
 * @param callbackTimeout how long one attempt may take ({@code spark.jobserver.callback.timeout})
 */
public record JobSettings(
        int resultChunkSize,
        long maxStreamResultSize,
        int callbackMaxAttempts,
        Duration callbackRetryDelay,
        double callbackRetryBackoff,
        Duration callbackTimeout) {

    public JobSettings {
        if (resultChunkSize < 1 || maxStreamResultSize < 1 || callbackMaxAttempts < 1 || callbackRetryBackoff < 1.0) {
            throw new IllegalArgumentException("invalid job settings: " + resultChunkSize + ", " + maxStreamResultSize
                    + ", " + callbackMaxAttempts + ", " + callbackRetryBackoff);
        }
    }

    /** Binds the server configuration. */
    public static JobSettings from(Config c) {
        String js = "spark.jobserver.";
        List<String> problems = new ArrayList<>();
        long chunk = bind(
                problems, () -> atLeast(c.getBytes(js + "result-chunk-size"), 1, js + "result-chunk-size"), 100L << 10);
        long max = bind(
                problems,
                () -> atLeast(c.getBytes(js + "max-stream-result-size"), 1, js + "max-stream-result-size"),
                1L << 30);
        int attempts = bind(
                problems,
                () -> (int) atLeast(c.getInt(js + "callback.max-attempts"), 1, js + "callback.max-attempts"),
                5);
        Duration delay = bind(problems, () -> c.getDuration(js + "callback.retry-delay"), Duration.ofSeconds(10));
        double backoff = bind(
                problems,
                () -> {
                    double b = c.getDouble(js + "callback.retry-backoff");
                    if (b < 1.0) {
                        throw new IllegalArgumentException(
                                js + "callback.retry-backoff must be at least 1.0, was " + b);
                    }
                    return b;
                },
                1.0);
        Duration timeout = bind(problems, () -> c.getDuration(js + "callback.timeout"), Duration.ofSeconds(10));
        if (chunk > Integer.MAX_VALUE) {
            problems.add(js + "result-chunk-size must be less than 2g");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new JobSettings((int) chunk, max, attempts, delay, backoff, timeout);
    }

    private static long atLeast(long value, long min, String key) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    private interface Getter<T> {
        T get();
    }

    private static <T> T bind(List<String> problems, Getter<T> getter, T fallback) {
        try {
            return getter.get();
        } catch (ConfigException | IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }
}
