package spark.jobserver.server.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How much work a server takes on before it answers 429 Too Many Requests (with {@code Retry-After}) rather
 * than queueing without bound, under {@code spark.jobserver.admission}; every problem is reported at once.
 *
 * @param maxStartingContexts contexts (ad-hoc ones included) this server may be starting at once: each is a
 *     JVM whose start takes seconds of CPU
 * @param maxWaitingJobsPerContext jobs sent to a context's driver that it has not yet answered (it loads
 *     their binaries and validates them); the reference's 503 NO SLOTS still answers a context whose job
 *     slots are all taken
 * @param retryAfter what a refused client is told to wait
 */
public record AdmissionSettings(int maxStartingContexts, int maxWaitingJobsPerContext, Duration retryAfter) {
    private static final String PREFIX = "spark.jobserver.admission.";

    public AdmissionSettings {
        ConfigProblems.atLeast(1, maxStartingContexts);
        ConfigProblems.atLeast(1, maxWaitingJobsPerContext);
        ConfigProblems.positive(retryAfter);
    }

    /**
     * Binds the server configuration; absent keys take the bundled defaults.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static AdmissionSettings from(Config c) {
        ConfigProblems problems = new ConfigProblems(c);
        int starting = problems.bindOptional(
                c, PREFIX + "max-starting-contexts", (cfg, key) -> ConfigProblems.atLeast(1, cfg.getInt(key)), 4);
        int waiting = problems.bindOptional(
                c,
                PREFIX + "max-waiting-jobs-per-context",
                (cfg, key) -> ConfigProblems.atLeast(1, cfg.getInt(key)),
                64);
        Duration retry = problems.bindOptional(
                c,
                PREFIX + "retry-after",
                (cfg, key) -> ConfigProblems.positive(cfg.getDuration(key)),
                Duration.ofSeconds(5));
        problems.throwIfAny("Invalid admission configuration (spark.jobserver.admission)");
        return new AdmissionSettings(starting, waiting, retry);
    }
}
