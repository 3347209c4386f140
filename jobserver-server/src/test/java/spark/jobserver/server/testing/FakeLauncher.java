package spark.jobserver.server.testing;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import spark.jobserver.server.drivers.DriverLauncher;
import spark.jobserver.server.drivers.DriverProcess;

/**
 * A launcher that starts no JVM: each launch makes a {@link FakeProcess} that a test ends when it likes,
 * and is handed to the test (through {@link #nextLaunch}) to play the driver with. Processes that
 * "outlive" a server restart are found again by pid, as the local launcher finds real ones.
 */
public final class FakeLauncher implements DriverLauncher {
    private final AtomicLong pids = new AtomicLong(40_000);
    private final BlockingQueue<Launch> launches = new LinkedBlockingQueue<>();
    private final Map<Long, FakeProcess> processes = new ConcurrentHashMap<>();
    private final AtomicInteger launchCount = new AtomicInteger();
    private volatile String failWith;
    private volatile boolean remote;

    /** One launch: what was asked and the process made for it. */
    public record Launch(Spec spec, FakeProcess process) {}

    @Override
    public Launched launch(Spec spec) {
        launchCount.incrementAndGet();
        if (failWith != null) {
            throw new IllegalStateException(failWith);
        }
        FakeProcess process = new FakeProcess(pids.incrementAndGet(), remote);
        processes.put(process.pid(), process);
        launches.add(new Launch(spec, process));
        return new Launched(process, java.nio.file.Path.of("/nonexistent/" + spec.contextId() + "/driver.log"));
    }

    @Override
    public Optional<DriverProcess> find(long pid, String contextId) {
        return Optional.ofNullable(processes.get(pid))
                .filter(FakeProcess::isAlive)
                .map(DriverProcess.class::cast);
    }

    /** The next launch, waiting for it up to {@code timeout}. */
    public Launch nextLaunch(Duration timeout) {
        try {
            Launch launch = launches.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (launch == null) {
                throw new AssertionError("no driver launched within " + timeout);
            }
            return launch;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public int launchCount() {
        return launchCount.get();
    }

    /** Makes later launches submit drivers to a cluster (true) or start them on this host (false). */
    public void launchRemote(boolean remote) {
        this.remote = remote;
    }

    /** Makes every later launch fail with this message (null: launches work again). */
    public void failLaunches(String message) {
        this.failWith = message;
    }
}
