package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.contexts.ContextStore;

/**
 * Keeps the stored history within bounds: deletes ended jobs (with their configs and results) and
 * ended contexts older than {@code dao-cleanup-after}, and ended jobs beyond {@code job-history.max-jobs}.
 * Unfinished jobs and live contexts are never touched. Run periodically by the server.
 */
public final class HistoryPruner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryPruner.class);

    private final JobStore jobs;
    private final ContextStore contexts;
    private final ServerConfig.JobHistory settings;
    private final Clock clock;
    private final java.util.function.IntSupplier afterPrune;

    /**
     * @param afterPrune cleans what lives beside the database (stream result files, the directories and logs of
     *     pruned contexts); returns how many it removed
     */
    public HistoryPruner(
            JobStore jobs,
            ContextStore contexts,
            ServerConfig.JobHistory settings,
            Clock clock,
            java.util.function.IntSupplier afterPrune) {
        this.jobs = requireNonNull(jobs, "jobs is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.afterPrune = requireNonNull(afterPrune, "afterPrune is null");
    }

    @Override
    public void run() {
        try {
            int byAge = 0;
            int contextsByAge = 0;
            if (!settings.cleanupAfter().isZero()) {
                java.time.Instant cutoff = clock.instant().minus(settings.cleanupAfter());
                byAge = jobs.deleteEndedBefore(cutoff);
                contextsByAge = contexts.deleteEndedBefore(cutoff);
            }
            int byCount = settings.maxJobs() > 0 ? jobs.deleteEndedBeyond(settings.maxJobs()) : 0;
            int files = byAge + byCount + contextsByAge > 0 ? afterPrune.getAsInt() : 0;
            if (files > 0) {
                LOG.info("Deleted {} stream result file(s) and context directories of pruned jobs and contexts", files);
            }
            if (byAge + byCount + contextsByAge > 0) {
                LOG.info(
                        "Pruned {} ended job(s) older than {}, {} beyond the newest {}, and {} ended context(s)",
                        byAge,
                        settings.cleanupAfter(),
                        byCount,
                        settings.maxJobs(),
                        contextsByAge);
            }
        } catch (RuntimeException e) {
            // the next run tries again; a scheduled task that throws would never run again
            LOG.warn("Pruning the job history failed: {}", e.getMessage(), e);
        }
    }
}
