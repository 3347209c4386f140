package spark.jobserver.server.idempotency;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.time.Duration;
import spark.jobserver.server.config.ConfigProblems;

/**
 * The settings of {@code Idempotency-Key} requests, under {@code spark.jobserver.idempotency}; every problem
 * is reported at once.
 *
 * @param enabled off: the header is ignored and every request runs, as without it
 * @param window how long a key's first answer is replayed; older keys are ignored, then pruned
 * @param maxStoredBody the largest answer body kept for replays; a larger one is replayed as its status and a
 *     short JSON naming the job it made (docs/retries.md)
 */
public record IdempotencySettings(boolean enabled, Duration window, long maxStoredBody) {
    private static final String PREFIX = "spark.jobserver.idempotency.";
    /** What a database column holds without trouble on every dialect (MySQL's LONGTEXT, PostgreSQL's TEXT). */
    static final long MAX_STORED_BODY_LIMIT = 64L << 20;

    public IdempotencySettings {
        requireNonNull(window, "window is null");
        ConfigProblems.positive(window);
        storedBodyInRange(maxStoredBody);
    }

    private static long storedBodyInRange(long bytes) {
        ConfigProblems.atLeast(0, bytes);
        if (bytes > MAX_STORED_BODY_LIMIT) {
            throw new IllegalArgumentException("must be at most 64m, was " + bytes);
        }
        return bytes;
    }

    /**
     * Binds the server configuration; absent keys take the bundled defaults.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static IdempotencySettings from(Config c) {
        ConfigProblems problems = new ConfigProblems(c);
        boolean enabled = problems.bindOptional(c, PREFIX + "enabled", Config::getBoolean, true);
        Duration window = problems.bindOptional(
                c,
                PREFIX + "window",
                (cfg, key) -> ConfigProblems.positive(cfg.getDuration(key)),
                Duration.ofHours(24));
        long maxStoredBody = problems.bindOptional(
                c, PREFIX + "max-stored-body", (cfg, key) -> storedBodyInRange(cfg.getBytes(key)), 1L << 20);
        problems.throwIfAny("Invalid idempotency configuration (spark.jobserver.idempotency)");
        return new IdempotencySettings(enabled, window, maxStoredBody);
    }
}
