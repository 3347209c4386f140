package spark.jobserver.server.drivers;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A context's driver process as the server follows it, wherever it runs. */
public interface DriverProcess {

    /**
     * The pid of the driver on the server's own host, recorded so that a restarted server can find it
     * again; empty for a driver on a cluster node (it is found again when it dials back).
     */
    OptionalLong localPid();

    /**
     * Whether {@link #onExit} completes when the driver ends on its own. A driver on a cluster node is
     * followed through its connection and heartbeats instead: its end shows as a lost connection.
     */
    default boolean reportsExit() {
        return true;
    }

    boolean isAlive();

    /**
     * Completes with the exit code when the process has exited (-1 when the code cannot be known, as for
     * a process adopted after a server restart). Dependent work must be run on an executor of the
     * caller's ({@code thenAcceptAsync(..., executor)}): the future completes on a JDK thread.
     */
    CompletableFuture<Integer> onExit();

    /** Kills the process and every process it started (SIGKILL); no-op when it is gone. */
    void kill();
}
