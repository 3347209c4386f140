package spark.jobserver.server.logs;

import com.typesafe.config.Config;
import java.time.Duration;
import spark.jobserver.server.config.ConfigProblems;

/**
 * Settings of the log routes, bound once at start; every problem is reported at once.
 *
 * @param maxPageSize the most bytes one page (or one Range) answers ({@code spark.jobserver.logs.max-page-size})
 * @param followTimeout how long a {@code follow=true} response stays open at most ({@code spark.jobserver.logs.follow-timeout})
 * @param followInterval how often a followed log is read for new lines ({@code spark.jobserver.logs.follow-interval})
 */
public record LogSettings(int maxPageSize, Duration followTimeout, Duration followInterval) {
    /** A page's size when the request names none. */
    static final int DEFAULT_PAGE_SIZE = 1 << 20;

    public LogSettings {
        if (maxPageSize < 1
                || followTimeout.isNegative()
                || followTimeout.isZero()
                || followInterval.isNegative()
                || followInterval.isZero()) {
            throw new IllegalArgumentException(
                    "invalid log settings: " + maxPageSize + ", " + followTimeout + ", " + followInterval);
        }
    }

    /**
     * Binds the server configuration.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static LogSettings from(Config c) {
        String p = "spark.jobserver.logs.";
        ConfigProblems problems = new ConfigProblems(c);
        long max = problems.bindOptional(
                c,
                p + "max-page-size",
                (config, key) -> {
                    long size = ConfigProblems.atLeast(1, config.getBytes(key));
                    if (size > 256L << 20) {
                        throw new IllegalArgumentException("must be at most 256m, was " + size);
                    }
                    return size;
                },
                16L << 20);
        Duration timeout = problems.bindOptional(
                c,
                p + "follow-timeout",
                (config, key) -> ConfigProblems.positive(config.getDuration(key)),
                Duration.ofHours(1));
        Duration interval = problems.bindOptional(
                c,
                p + "follow-interval",
                (config, key) -> ConfigProblems.positive(config.getDuration(key)),
                Duration.ofMillis(500));
        problems.throwIfAny("Invalid configuration");
        return new LogSettings((int) max, timeout, interval);
    }
}
