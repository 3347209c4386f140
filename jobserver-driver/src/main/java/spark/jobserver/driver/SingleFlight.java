package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * At most one run of an action per key at a time, for downloads into a cache: the first caller for a
 * key runs the action in its own thread (so it runs, and is interrupted, as part of that caller's job)
 * while callers arriving meanwhile wait for its outcome. They wait interruptibly: a killed job stops
 * waiting at once and the action goes on for the others. A monitor held for the whole download could
 * not be left that way.
 *
 * <p>A key is forgotten as soon as its action ends, so the map holds only the downloads in progress. The
 * action's result is not kept here: later callers find it where the action left it (the file in the
 * cache), and the action checks for that first. A failure is not kept either: the waiters of that run
 * see it, and the next caller tries again. When the running caller was interrupted (its job was
 * killed), its waiters do not inherit the interrupt as a failure: one of them runs the action itself.
 */
final class SingleFlight {

    /** What runs once per key at a time. */
    @FunctionalInterface
    interface Action {
        void run() throws IOException;
    }

    private final ConcurrentMap<String, CompletableFuture<Void>> running = new ConcurrentHashMap<>();

    /**
     * Runs {@code action} for {@code key}, or waits for the run already in progress for that key.
     *
     * @param what what the action fetches, for messages
     * @throws IOException the action's failure, this caller's or the one it waited for
     * @throws InterruptedIOException when the calling thread is interrupted while waiting; its interrupt
     *     status is kept
     */
    void run(String key, String what, Action action) throws IOException {
        requireNonNull(key, "key is null");
        requireNonNull(what, "what is null");
        requireNonNull(action, "action is null");
        while (true) {
            CompletableFuture<Void> mine = new CompletableFuture<>();
            CompletableFuture<Void> other = running.putIfAbsent(key, mine);
            if (other == null) {
                runAndPublish(key, action, mine);
                return;
            }
            if (awaitOther(other, what)) {
                return;
            }
            // The caller that ran it was interrupted: try again, perhaps as the one who runs it.
        }
    }

    /** The number of keys whose action is in progress. */
    int inProgress() {
        return running.size();
    }

    private void runAndPublish(String key, Action action, CompletableFuture<Void> mine) throws IOException {
        try {
            action.run();
        } catch (Throwable t) {
            // Forgotten before the waiters wake up: whoever comes next starts afresh.
            running.remove(key, mine);
            if (Thread.currentThread().isInterrupted()) {
                mine.cancel(false);
            } else {
                mine.completeExceptionally(t);
            }
            throw t;
        }
        running.remove(key, mine);
        mine.complete(null);
    }

    /** Waits for another caller's run: true when it succeeded, false when that caller gave up, interrupted. */
    private static boolean awaitOther(CompletableFuture<Void> other, String what) throws IOException {
        try {
            other.get();
            return true;
        } catch (CancellationException e) {
            return false;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // A new exception, so that the waiter's own stack shows too.
            throw new IOException(cause instanceof IOException ? cause.getMessage() : cause.toString(), cause);
        } catch (InterruptedException e) {
            // The waiting job was killed; keep the interrupt for the job's code to see.
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted =
                    new InterruptedIOException("interrupted while waiting for another job to fetch " + what);
            interrupted.initCause(e);
            throw interrupted;
        }
    }
}
