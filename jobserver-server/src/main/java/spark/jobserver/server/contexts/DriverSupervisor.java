package spark.jobserver.server.contexts;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Message;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverProcess;
import spark.jobserver.server.drivers.DriverSession;
import spark.jobserver.server.http.ApiException;

/**
 * Follows drivers' processes: launches them, gives up on a start that takes too long, escalates a stop
 * the driver ignores to a kill of its process tree, notices a process exit and a silent driver
 * (heartbeats). Timers run on the shared scheduler and hand their work to the context's event executor;
 * so does a process exit (never the JDK's threads).
 */
final class DriverSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(DriverSupervisor.class);

    private final DriverLauncher launcher;
    private final ContextLifecycle lifecycle;
    private final LiveContexts contexts;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration heartbeatTimeout;
    private final Duration deletionTimeout;

    DriverSupervisor(
            DriverLauncher launcher,
            ContextLifecycle lifecycle,
            LiveContexts contexts,
            ScheduledExecutorService scheduler,
            Clock clock,
            Duration heartbeatTimeout,
            Duration deletionTimeout) {
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle is null");
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.heartbeatTimeout = requireNonNull(heartbeatTimeout, "heartbeatTimeout is null");
        this.deletionTimeout = requireNonNull(deletionTimeout, "deletionTimeout is null");
    }

    /**
     * Records the context and launches its driver; the context ends in ERROR when the launch fails or its
     * Spark context is not up within {@code startTimeout}. Runs on the context's event executor.
     */
    void launch(LiveContext live, DriverLauncher.Spec spec, Duration startTimeout) {
        try {
            lifecycle.record(live);
            DriverLauncher.Launched launched = launcher.launch(spec);
            live.process(launched.process());
            lifecycle.update(
                    live,
                    info -> info.withProcess(
                            launched.process().localPid().isPresent()
                                    ? launched.process().localPid().getAsLong()
                                    : null,
                            launched.logFile().toString()));
            watch(live, launched.process());
        } catch (IOException | RuntimeException e) {
            LOG.error("Could not launch the driver of context {}", live.name(), e);
            live.kill(); // a driver that started before the failure must not live on unsupervised
            lifecycle.end(live, ContextState.ERROR, ErrorInfo.of(e), false);
            return;
        }
        later(live, startTimeout, () -> {
            if (!live.ready().isDone()) {
                String message = "Context " + live.name() + " did not start within " + startTimeout.toSeconds() + " s";
                LOG.warn(message);
                live.kill();
                lifecycle.end(
                        live,
                        ContextState.ERROR,
                        DriverLogs.withLogTail(
                                new ErrorInfo(message, "java.util.concurrent.TimeoutException", ""), live.info()),
                        false);
            }
        });
    }

    /** Follows the exit of a driver's process, on the context's event executor. */
    void watch(LiveContext live, DriverProcess process) {
        process.onExit().thenAcceptAsync(code -> exited(live, code), live);
    }

    private void exited(LiveContext live, int exitCode) {
        if (lifecycle.isClosed() || live.state().isTerminal()) {
            return; // a stopped server's former driver (the running server follows it), or an end already recorded
        }
        if (live.state() == ContextState.STOPPING) {
            lifecycle.end(live, ContextState.FINISHED, null, true);
        } else {
            String message =
                    "Context " + live.name() + " terminated unexpectedly: its driver exited with code " + exitCode;
            LOG.warn(message);
            lifecycle.end(
                    live,
                    ContextState.ERROR,
                    DriverLogs.withLogTail(ErrorInfo.of(message, "java.lang.IllegalStateException"), live.info()),
                    false);
        }
    }

    /**
     * Stops a context: asks its driver, and kills the driver's process tree if it is not connected, if
     * {@code force}, or if it has not stopped after twice the deletion timeout. Runs on the context's
     * event executor.
     *
     * @throws ApiException 404 when the context has already ended
     */
    void stop(LiveContext live, boolean force) {
        if (!lifecycle.moveTo(live, ContextState.STOPPING)) {
            if (live.state() != ContextState.STOPPING) {
                throw ApiException.error(404, "context " + live.name() + " not found");
            }
            // already stopping (a second DELETE, or the driver stopping on its own): the same end, sooner if forced
            if (force) {
                live.kill();
            }
            return;
        }
        LOG.info("Stopping context {}{}", live.name(), force ? " (forced)" : "");
        DriverSession session = live.session();
        if (force || session == null || !session.isOpen()) {
            killOrEnd(live);
            return;
        }
        try {
            session.send(new Message.StopContext());
        } catch (RuntimeException e) {
            LOG.warn("Could not ask context {} to stop; killing its driver", live.name(), e);
            live.kill();
        }
        later(live, deletionTimeout.multipliedBy(2), () -> {
            if (!live.ended().isDone()) {
                LOG.warn("Context {} did not stop in time; killing its driver", live.name());
                killOrEnd(live);
            }
        });
    }

    /** Kills the driver (its exit ends the context); without a live process, ends the context here. */
    private void killOrEnd(LiveContext live) {
        if (!live.kill()) {
            lifecycle.end(live, ContextState.FINISHED, null, true);
        }
    }

    /** Declares dead the drivers that have been silent longer than the heartbeat timeout. */
    void checkHeartbeats() {
        Instant deadline = clock.instant().minus(heartbeatTimeout);
        for (LiveContext live : contexts.all()) {
            if (isSilent(live, deadline)) {
                live.execute(() -> {
                    if (isSilent(live, deadline)) {
                        String message = "Context " + live.name() + " terminated: no heartbeat from its driver for "
                                + heartbeatTimeout.toSeconds() + " s"
                                + (live.session() == null ? " (it lost its connection and did not come back)" : "");
                        LOG.warn(message);
                        live.kill();
                        lifecycle.end(
                                live,
                                ContextState.ERROR,
                                ErrorInfo.of(message, "java.util.concurrent.TimeoutException"),
                                false);
                    }
                });
            }
        }
    }

    /**
     * A running context whose driver has not been heard from since {@code deadline}: connected but silent,
     * or, for a driver whose exit this server cannot see (on a cluster node, or adopted from another server),
     * gone and not back.
     */
    private static boolean isSilent(LiveContext live, Instant deadline) {
        DriverProcess process = live.process();
        boolean remote = process == null || !process.reportsExit();
        return live.state() == ContextState.RUNNING
                && (live.session() != null || remote)
                && live.lastSeen().isBefore(deadline);
    }

    /** Runs {@code task} on the context's event executor after {@code delay}. */
    void later(LiveContext live, Duration delay, Runnable task) {
        try {
            scheduler.schedule(() -> live.execute(task), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Not scheduling a check of context {}: the server is stopping", live.name());
        }
    }
}
