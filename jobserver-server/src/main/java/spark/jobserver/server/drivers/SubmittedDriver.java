package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A driver submitted to a cluster in cluster deploy mode: spark-submit runs here only until the cluster
 * has accepted the driver, which then runs on one of its nodes and dials back. It ends here when the
 * submission fails (spark-submit exits with an error) or when it is killed; otherwise the server follows
 * it through its connection and heartbeats ({@link #reportsExit()} is false).
 */
final class SubmittedDriver implements DriverProcess {
    private static final Logger LOG = LoggerFactory.getLogger(SubmittedDriver.class);
    private final Process submitter;
    private final Path submitLog;
    private final String contextId;
    private final ClusterManager manager;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    /**
     * @param submitLog where spark-submit writes (the cluster's id for the driver is read from it)
     * @param manager how the cluster names and kills the driver
     */
    SubmittedDriver(Process submitter, Path submitLog, String contextId, ClusterManager manager) {
        this.submitter = requireNonNull(submitter, "submitter is null");
        this.submitLog = requireNonNull(submitLog, "submitLog is null");
        this.contextId = requireNonNull(contextId, "contextId is null");
        this.manager = requireNonNull(manager, "manager is null");
        submitter.onExit().thenAccept(p -> {
            if (p.exitValue() != 0) {
                exit.complete(p.exitValue()); // the cluster did not take the driver
            }
        });
    }

    @Override
    public OptionalLong localPid() {
        return OptionalLong.empty();
    }

    @Override
    public boolean reportsExit() {
        return false;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    /** The cluster's id for the driver, once spark-submit has printed it (standalone: {@code driver-...}). */
    Optional<String> clusterId() {
        try {
            String output = Files.isRegularFile(submitLog) ? Files.readString(submitLog) : "";
            return manager.driverId(contextId, output);
        } catch (IOException e) {
            return manager.driverId(contextId, "");
        }
    }

    /** Kills the submission if it still runs, and the driver through the cluster manager. */
    @Override
    public void kill() {
        if (submitter.isAlive()) {
            submitter.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            submitter.destroyForcibly();
        }
        Optional<String> id = clusterId();
        if (id.isEmpty()) {
            LOG.warn("Cannot kill the driver submitted to the cluster: spark-submit did not say its id; it stops"
                    + " when it has lost the server for its grace period");
        } else {
            try {
                manager.kill(id.get());
                LOG.info("Killed driver {} through the cluster manager", id.get());
            } catch (IOException e) {
                LOG.warn("Could not kill driver {} through the cluster manager: {}", id.get(), e.getMessage());
            }
        }
        exit.complete(137);
    }
}
