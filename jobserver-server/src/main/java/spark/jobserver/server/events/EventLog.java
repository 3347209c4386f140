package spark.jobserver.server.events;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.Json;

/**
 * The events of this server's run: ids, the window of recent events kept for clients that resume (state
 * changes only, not progress ticks), and the clients following the stream. Publishing never waits: it appends to the window and offers the event
 * to each client's bounded queue, all under one short lock (no I/O), so every client receives events in
 * the order of their ids.
 *
 * <p>Ids start at the clock's milliseconds times 1000 and count up by one: a server started later starts
 * above every id of an earlier run (unless the earlier one made more than 1000 events per millisecond it
 * ran), so a client resuming across a restart is never handed an event under an id it already saw, and is
 * told it missed events instead.
 */
final class EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private final int windowSize;
    private final int maxClients;
    private final long firstId;
    private final ArrayDeque<ServerEvent> window = new ArrayDeque<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private long nextId;
    private boolean closed;

    /**
     * @param windowSize how many recent events are kept for resuming
     * @param maxClients how many clients may follow at once
     */
    EventLog(Clock clock, int windowSize, int maxClients) {
        if (windowSize < 1 || maxClients < 1) {
            throw new IllegalArgumentException("windowSize and maxClients must be positive");
        }
        this.windowSize = windowSize;
        this.maxClients = maxClients;
        this.firstId = clock.millis() * 1000;
        this.nextId = firstId;
    }

    /** Records an event and offers it to every client; clients whose queue overflows are dropped. */
    ServerEvent publish(String type, String contextName, String jobId, Map<String, Object> data) {
        String json = Json.write(data);
        List<Subscription> dropped = new ArrayList<>(0);
        ServerEvent event;
        synchronized (this) {
            event = new ServerEvent(nextId++, type, contextName, jobId, data, json);
            // Progress ticks are not kept: one per running job each interval would push the state changes
            // out of the window, and a resuming client reads a job's progress with one GET.
            if (!type.equals(ServerEvent.PROGRESS)) {
                if (window.size() == windowSize) {
                    window.removeFirst();
                }
                window.addLast(event);
            }
            for (var it = subscriptions.iterator(); it.hasNext(); ) {
                Subscription subscription = it.next();
                if (!subscription.offer(event)) {
                    it.remove();
                    dropped.add(subscription);
                }
            }
        }
        for (Subscription subscription : dropped) {
            LOG.info("An event stream client was dropped: it read slower than events came");
            try {
                subscription.abort();
            } catch (RuntimeException e) {
                LOG.warn("Ending a dropped event stream failed", e);
            }
        }
        return event;
    }

    /**
     * A new client; it receives every event published after this returns, and first what
     * {@link Subscription#first()} holds.
     *
     * @param lastEventId the last event the client received (it resumes after it); null for none
     * @throws ApiException 503 when the server has as many clients as it takes, or is closing
     */
    Subscription subscribe(EventFilter filter, Long lastEventId, int queueSize) {
        synchronized (this) {
            if (closed) {
                throw ApiException.error(503, "The server is stopping");
            }
            if (subscriptions.size() >= maxClients) {
                throw ApiException.error(
                        503,
                        "Too many event stream clients (at most " + maxClients
                                + ", spark.jobserver.events.max-clients); try again later");
            }
            List<ServerEvent> first;
            if (lastEventId == null) {
                first = List.of();
            } else if (resumable(lastEventId)) {
                first = window.stream()
                        .filter(e -> e.id() > lastEventId && filter.test(e))
                        .toList();
            } else {
                first = List.of(reset(lastEventId));
            }
            Subscription subscription = new Subscription(filter, queueSize, first);
            subscriptions.add(subscription);
            return subscription;
        }
    }

    /** Whether every event after {@code lastEventId} is still in the window. */
    private boolean resumable(long lastEventId) {
        long oldest = window.isEmpty() ? nextId : window.getFirst().id();
        return lastEventId >= oldest - 1 && lastEventId < nextId;
    }

    /** Tells a client that the events after the id it had are gone: it reads the current state again. */
    private ServerEvent reset(long lastEventId) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("lastEventId", String.valueOf(lastEventId));
        data.put(
                "oldestEventId",
                window.isEmpty() ? null : String.valueOf(window.getFirst().id()));
        data.put(
                "message",
                "Events after " + lastEventId + " are not kept (or are of another run of the server);"
                        + " read the current state with GET /contexts and GET /jobs");
        // under the latest id: a client resuming after the reset gets exactly what came after it
        return new ServerEvent(nextId - 1, ServerEvent.RESET, null, null, data, Json.write(data));
    }

    /** A client went away; its subscription ends. */
    void unsubscribe(Subscription subscription) {
        synchronized (this) {
            subscriptions.remove(subscription);
        }
        subscription.end(Subscription.End.CLOSED);
    }

    synchronized int clients() {
        return subscriptions.size();
    }

    /** The id the next event gets. */
    synchronized long nextId() {
        return nextId;
    }

    /**
     * Ends every client's subscription; new ones are refused.
     *
     * @return the subscriptions it ended
     */
    List<Subscription> close() {
        List<Subscription> all;
        synchronized (this) {
            closed = true;
            all = List.copyOf(subscriptions);
            subscriptions.clear();
        }
        all.forEach(s -> s.end(Subscription.End.CLOSED));
        return all;
    }
}
