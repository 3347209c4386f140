package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.server.http.ApiException;

/**
 * The event stream feature: the log of recent events, the follower that fills it, and the senders that
 * write each client's stream ({@code jobserver-events-N}, one thread per client, at most
 * {@link EventSettings#maxClients()}).
 */
public final class EventStream implements AutoCloseable {
    private final EventSettings settings;
    private final EventLog log;
    private final EventFollower follower;
    private final ExecutorService senders = Executors.newCachedThreadPool(NamedThreads.daemon("jobserver-events"));

    /**
     * @param scheduler where held-back progress events are sent (owned by the caller)
     */
    public EventStream(EventSettings settings, Clock clock, ScheduledExecutorService scheduler) {
        this.settings = requireNonNull(settings, "settings is null");
        this.log = new EventLog(clock, settings.bufferSize(), settings.maxClients());
        this.follower = new EventFollower(log, clock, scheduler, settings.progressInterval());
    }

    /** What follows contexts and jobs for the stream: compose it into the server's followers and job listeners. */
    public EventFollower follower() {
        return follower;
    }

    /** How many clients follow the stream. */
    int clients() {
        return log.clients();
    }

    /** A new client; see {@link EventLog#subscribe}. */
    Subscription subscribe(EventFilter filter, Long lastEventId) {
        return log.subscribe(filter, lastEventId, settings.clientQueueSize());
    }

    /** A client went away before its stream started. */
    void unsubscribe(Subscription subscription) {
        log.unsubscribe(subscription);
    }

    /** Starts writing {@code subscription}'s stream to {@code sink} on a sender thread of its own. */
    void send(Subscription subscription, EventSender.Sink sink) {
        try {
            senders.execute(new EventSender(log, subscription, sink, settings.keepAlive()));
        } catch (RejectedExecutionException e) {
            log.unsubscribe(subscription);
            sink.close();
            throw ApiException.error(503, "The server is stopping");
        }
    }

    /** Ends every stream (normally; a stream stuck on a client that does not read, abruptly) and stops the senders. */
    @Override
    public void close() {
        List<Subscription> ended = log.close();
        senders.shutdown();
        try {
            if (!senders.awaitTermination(1, TimeUnit.SECONDS)) {
                // a sender stuck writing to a client that does not read: end its connection
                ended.forEach(Subscription::abort);
                senders.shutdownNow();
                senders.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            senders.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
