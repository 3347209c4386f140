package spark.jobserver.common;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread factory of the server and the driver: daemon threads named {@code <prefix>-1},
 * {@code <prefix>-2}, ... so that thread dumps and log lines say what each thread does.
 */
public final class NamedThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();

    private NamedThreads(String prefix) {
        this.prefix = requireNonNull(prefix, "prefix is null");
    }

    /** Daemon threads named after {@code prefix}: they never keep a stopping JVM alive. */
    public static NamedThreads daemon(String prefix) {
        return new NamedThreads(prefix);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + "-" + counter.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
