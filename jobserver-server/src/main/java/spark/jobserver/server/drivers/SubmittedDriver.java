package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    /** How a standalone master names a submitted driver ({@code driver-20261130045012-0000}). */
    private static final Pattern STANDALONE_DRIVER_ID = Pattern.compile("(driver-\\d{14}-\\d{4,})");

    private final Process submitter;
    private final Path submitLog;
    private final Function<String, Optional<List<String>>> killCommand;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    /**
     * @param submitLog where spark-submit writes (the cluster's id for the driver is read from it)
     * @param killCommand the command that kills the driver given the cluster's id for it; empty where the
     *     cluster manager offers none through spark-submit
     */
    SubmittedDriver(Process submitter, Path submitLog, Function<String, Optional<List<String>>> killCommand) {
        this.submitter = requireNonNull(submitter, "submitter is null");
        this.submitLog = requireNonNull(submitLog, "submitLog is null");
        this.killCommand = requireNonNull(killCommand, "killCommand is null");
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
            if (!Files.isRegularFile(submitLog)) {
                return Optional.empty();
            }
            Matcher m = STANDALONE_DRIVER_ID.matcher(Files.readString(submitLog));
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            return Optional.ofNullable(last);
        } catch (IOException e) {
            return Optional.empty();
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
        Optional<List<String>> command = id.flatMap(killCommand);
        if (command.isEmpty()) {
            LOG.warn(
                    "Cannot kill the driver submitted to the cluster ({}) through spark-submit; it stops when it"
                            + " loses the server for its grace period",
                    id.orElse("its id is unknown"));
        } else {
            try {
                Process kill = new ProcessBuilder(command.get())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(submitLog.toFile()))
                        .start();
                if (!kill.waitFor(60, TimeUnit.SECONDS)) {
                    kill.destroyForcibly();
                }
                LOG.info("Killed driver {} through the cluster manager (exit code {})", id.get(), kill.exitValue());
            } catch (IOException | IllegalThreadStateException e) {
                LOG.warn("Killing driver {} through the cluster manager failed", id.get(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        exit.complete(137);
    }
}
