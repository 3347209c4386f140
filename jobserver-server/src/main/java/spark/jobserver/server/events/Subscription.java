package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client's place in the stream: the events it has yet to be sent, in a bounded queue that publishers
 * fill without ever waiting, and its sender takes from. A queue that would overflow ends the subscription
 * (the client is too slow); so does the client going away or the server closing.
 */
final class Subscription {
    /** Why a subscription ended. */
    enum End {
        /** its queue overflowed: the client reads slower than events come */
        DROPPED,
        /** the client went away, or the server is closing */
        CLOSED
    }

    private final EventFilter filter;
    private final int capacity;
    private final List<ServerEvent> first;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ServerEvent> queue = new ArrayDeque<>();
    private End end;
    private Runnable abort = () -> {};

    /**
     * @param first what the client is sent before the queue: the events it missed, or a reset event
     */
    Subscription(EventFilter filter, int capacity, List<ServerEvent> first) {
        this.filter = requireNonNull(filter, "filter is null");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.first = List.copyOf(first);
    }

    EventFilter filter() {
        return filter;
    }

    List<ServerEvent> first() {
        return first;
    }

    /**
     * Queues {@code event} when the client wants it. Never waits.
     *
     * @return false when the queue was full: the subscription is now ended as {@link End#DROPPED}
     */
    boolean offer(ServerEvent event) {
        if (!filter.test(event)) {
            return true;
        }
        lock.lock();
        try {
            if (end != null) {
                return true;
            }
            if (queue.size() >= capacity) {
                queue.clear();
                end = End.DROPPED;
                changed.signalAll();
                return false;
            }
            queue.add(event);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The queued events, waiting up to {@code wait} for one.
     *
     * @return the events in order, empty when none came in time, null once the subscription ended
     */
    List<ServerEvent> take(Duration wait) throws InterruptedException {
        long nanos = wait.toNanos();
        lock.lock();
        try {
            while (queue.isEmpty() && end == null && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            if (end != null) {
                return null;
            }
            List<ServerEvent> events = new ArrayList<>(queue);
            queue.clear();
            return events;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the subscription, unless it already ended; its sender stops at its next take. */
    void end(End why) {
        lock.lock();
        try {
            if (end == null) {
                end = why;
                queue.clear();
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * How to end the client's connection at once (it may be stuck in a write): done when the subscription
     * is dropped, or the server closes while its sender is stuck. Done at once if it already was dropped.
     */
    void abortWith(Runnable action) {
        requireNonNull(action, "action is null");
        boolean now;
        lock.lock();
        try {
            abort = action;
            now = end == End.DROPPED;
        } finally {
            lock.unlock();
        }
        if (now) {
            action.run();
        }
    }

    /** Ends the client's connection at once; called outside any lock of the log. */
    void abort() {
        Runnable action;
        lock.lock();
        try {
            action = abort;
        } finally {
            lock.unlock();
        }
        action.run();
    }

    /** Why it ended; null while it lasts. */
    End ended() {
        lock.lock();
        try {
            return end;
        } finally {
            lock.unlock();
        }
    }
}
