package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A driver JVM on the server's own host, followed through its {@link ProcessHandle}. */
final class LocalDriverProcess implements DriverProcess {
    private final ProcessHandle handle;
    private final CompletableFuture<Integer> exit;

    private LocalDriverProcess(ProcessHandle handle, CompletableFuture<Integer> exit) {
        this.handle = requireNonNull(handle, "handle is null");
        this.exit = requireNonNull(exit, "exit is null");
    }

    /** A process this server started. */
    static LocalDriverProcess started(Process process) {
        return new LocalDriverProcess(process.toHandle(), process.onExit().thenApply(Process::exitValue));
    }

    /**
     * The driver of context {@code contextId} that outlived a server restart, if process {@code pid} is
     * alive and still runs that context (pids are reused): its command line names the context's own
     * directory. Without a visible command line (another user's process, or a platform that hides it),
     * the pid is trusted.
     */
    static Optional<DriverProcess> adopt(long pid, String contextId) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info()
                        .arguments()
                        .map(args -> Arrays.stream(args).anyMatch(a -> a.contains(contextId)))
                        .orElse(true))
                .map(p -> new LocalDriverProcess(p, p.onExit().thenApply(h -> -1)));
    }

    @Override
    public OptionalLong localPid() {
        return OptionalLong.of(handle.pid());
    }

    @Override
    public boolean isAlive() {
        return handle.isAlive();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
        return exit;
    }

    @Override
    public void kill() {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }
}
