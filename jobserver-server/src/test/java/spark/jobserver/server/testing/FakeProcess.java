package spark.jobserver.server.testing;

import java.util.concurrent.CompletableFuture;
import spark.jobserver.server.drivers.DriverProcess;

/** A driver process that exists only in the test: it exits when the test (or a kill) says so. */
public final class FakeProcess implements DriverProcess {
    private final long pid;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile boolean killed;
    private final boolean remote;

    FakeProcess(long pid, boolean remote) {
        this.pid = pid;
        this.remote = remote;
    }

    /** A driver on a cluster node: the server sees no exit of it, only its connection. */
    @Override
    public boolean reportsExit() {
        return !remote;
    }

    @Override
    public java.util.OptionalLong localPid() {
        return java.util.OptionalLong.of(pid);
    }

    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    /** SIGKILL: the process exits with 137. */
    @Override
    public void kill() {
        killed = true;
        exit.complete(137);
    }

    /** The process exits on its own. */
    public void exit(int code) {
        exit.complete(code);
    }

    public boolean wasKilled() {
        return killed;
    }
}
