package spark.jobserver.server.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition with a deadline: for what happens on another thread (a context's event executor). */
public final class Eventually {
    private Eventually() {}

    /** Returns {@code value}'s result once {@code done} holds for it; fails after {@code timeout}. */
    public static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout + "; last: " + last);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            last = value.get();
        }
        return last;
    }
}
