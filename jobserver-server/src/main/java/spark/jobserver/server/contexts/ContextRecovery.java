package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverProcess;

/**
 * After a server restart: every context of this server that was not final is either lost (its driver is
 * gone, it was still starting, or its secret is not stored) and marked ERROR at once, with its jobs, before
 * the server answers its first request; or waited for, and adopted when its driver re-attaches within the
 * re-attach timeout, else ended in ERROR. With several servers on the database, the same waiting adopts a
 * context whose server died ({@link #adopt}).
 */
final class ContextRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(ContextRecovery.class);

    private final ContextStore store;
    private final DriverLauncher launcher;
    private final LiveContexts contexts;
    private final ContextLifecycle lifecycle;
    private final DriverSupervisor supervisor;
    private final Clock clock;
    private final Duration reattachTimeout;

    ContextRecovery(
            ContextStore store,
            DriverLauncher launcher,
            LiveContexts contexts,
            ContextLifecycle lifecycle,
            DriverSupervisor supervisor,
            Clock clock,
            Duration reattachTimeout) {
        this.store = requireNonNull(store, "store is null");
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.supervisor = requireNonNull(supervisor, "supervisor is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.reattachTimeout = requireNonNull(reattachTimeout, "reattachTimeout is null");
    }

    /** @param mine whether a context not in a final state is this server's to recover */
    void recover(java.util.function.Predicate<ContextInfo> mine) {
        List<LiveContext> waiting = new ArrayList<>();
        for (ContextInfo info : store.unfinished()) {
            if (!mine.test(info)) {
                continue;
            }
            String secret = store.secret(info.id()).orElse(null);
            Optional<DriverProcess> process =
                    info.pid() == null ? Optional.empty() : launcher.find(info.pid(), info.id());
            String lost = secret == null
                    ? "its secret is not stored"
                    : info.state() == ContextState.STARTED
                            ? "it was still starting"
                            : info.pid() != null && process.isEmpty()
                                    ? "its driver (pid " + info.pid() + ") is gone"
                                    : null;
            if (lost != null) {
                process.ifPresent(DriverProcess::kill);
                LOG.warn("Context {} was lost while the server was down: {}", info.name(), lost);
                lifecycle.endLost(info, lost);
                continue;
            }
            LiveContext live = followed(info, secret);
            contexts.add(live);
            process.ifPresent(p -> {
                live.process(p);
                supervisor.watch(live, p);
            });
            waiting.add(live);
        }
        if (waiting.isEmpty()) {
            return;
        }
        LOG.info(
                "Waiting up to {} s for the drivers of {} context(s) to re-attach",
                reattachTimeout.toSeconds(),
                waiting.size());
        for (LiveContext live : waiting) {
            awaitDriver(live, "after a server restart");
        }
    }

    /**
     * Follows a context of another server that died, or whose driver re-attaches here ({@code info} read from
     * the store, not final): its driver is waited for as after a restart. Returns the context this server
     * follows, which is another one when it followed the context already.
     */
    LiveContext adopt(ContextInfo info, String secret) {
        LiveContext live = followed(info, secret);
        if (!contexts.add(live)) {
            live.closeEvents();
            return contexts.byId(info.id()).orElse(live);
        }
        LOG.info("Adopting context {}: its server is gone or its driver re-attaches here", info.name());
        awaitDriver(live, "when its server went away");
        return live;
    }

    private LiveContext followed(ContextInfo info, String secret) {
        Config settings = ConfigFactory.parseString(info.config());
        boolean adhoc = settings.hasPath("is-adhoc") && settings.getBoolean("is-adhoc");
        LiveContext live = new LiveContext(info, secret, settings, adhoc, clock.instant());
        live.ready().complete(info);
        return live;
    }

    /** Ends the context in ERROR unless its driver attached within the re-attach timeout. */
    private void awaitDriver(LiveContext live, String when) {
        supervisor.later(live, reattachTimeout, () -> {
            if (live.session() == null && !live.ended().isDone()) {
                LOG.warn("The driver of context {} did not re-attach", live.name());
                live.kill();
                lifecycle.end(
                        live,
                        ContextState.ERROR,
                        ErrorInfo.of(
                                "The driver of context " + live.name() + " did not re-attach " + when,
                                "java.lang.IllegalStateException"),
                        false);
            }
        });
    }
}
