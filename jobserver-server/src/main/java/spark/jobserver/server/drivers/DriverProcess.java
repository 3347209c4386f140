package spark.jobserver.server.drivers;

import java.util.concurrent.CompletableFuture;

/** A context's driver process as the server follows it, wherever it runs. */
public interface DriverProcess {

    long pid();

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
