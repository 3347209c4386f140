package spark.jobserver.server.jobs;

import com.typesafe.config.Config;
import java.time.Duration;
import spark.jobserver.server.config.ConfigProblems;

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

    /**
     * Binds the server configuration.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static JobSettings from(Config c) {
        String js = "spark.jobserver.";
        String cb = js + "callback.";
        ConfigProblems problems = new ConfigProblems(c);
        long chunk = problems.bind(
                js + "result-chunk-size",
                () -> {
                    long size = ConfigProblems.atLeast(1, c.getBytes(js + "result-chunk-size"));
                    if (size > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("must be less than 2g, was " + size);
                    }
                    return size;
                },
                100L << 10);
        long max = problems.bind(
                js + "max-stream-result-size",
                () -> ConfigProblems.atLeast(1, c.getBytes(js + "max-stream-result-size")),
                1L << 30);
        int attempts =
                problems.bind(cb + "max-attempts", () -> ConfigProblems.atLeast(1, c.getInt(cb + "max-attempts")), 5);
        Duration delay = problems.bind(
                cb + "retry-delay",
                () -> ConfigProblems.notNegative(c.getDuration(cb + "retry-delay")),
                Duration.ofSeconds(10));
        double backoff = problems.bind(
                cb + "retry-backoff",
                () -> {
                    double b = c.getDouble(cb + "retry-backoff");
                    if (b < 1.0) {
                        throw new IllegalArgumentException("must be at least 1.0, was " + b);
                    }
                    return b;
                },
                1.0);
        Duration timeout = problems.bind(
                cb + "timeout", () -> ConfigProblems.positive(c.getDuration(cb + "timeout")), Duration.ofSeconds(10));
        problems.throwIfAny("Invalid configuration");
        return new JobSettings((int) chunk, max, attempts, delay, backoff, timeout);
    }
}
