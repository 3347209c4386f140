package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.http.Json;

/**
 * Writes one client's stream, on a thread of its own: the publisher only fills the client's queue, so a
 * client that reads slowly holds up nobody but itself. A comment line goes out when nothing else did for
 * the keep-alive interval (proxies close idle connections; a client that went away is noticed then).
 */
final class EventSender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(EventSender.class);

    /** Where a stream is written. */
    interface Sink {
        /** Writes and flushes {@code text}; may block for as long as the client does not read. */
        void write(String text) throws IOException;

        /** Ends the stream: the sender's last call, after an {@link #abort} too. */
        void close();

        /** Ends the connection at once, from any thread, failing a write stuck on it; may be called again. */
        void abort();
    }

    private final EventLog log;
    private final Subscription subscription;
    private final Sink sink;
    private final Duration keepAlive;

    EventSender(EventLog log, Subscription subscription, Sink sink, Duration keepAlive) {
        this.log = requireNonNull(log, "log is null");
        this.subscription = requireNonNull(subscription, "subscription is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.keepAlive = requireNonNull(keepAlive, "keepAlive is null");
        subscription.abortWith(sink::abort);
    }

    @Override
    public void run() {
        try {
            // the headers are out; a client that has not had an event yet knows it is connected
            sink.write(": connected\n\n");
            write(subscription.first());
            while (true) {
                List<ServerEvent> events = subscription.take(keepAlive);
                if (events == null) {
                    break;
                }
                if (events.isEmpty()) {
                    sink.write(": keep-alive\n\n");
                } else {
                    write(events);
                }
            }
        } catch (IOException e) {
            LOG.debug("An event stream client went away: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("An event stream failed", e);
        } finally {
            log.unsubscribe(subscription);
            if (subscription.ended() == Subscription.End.DROPPED) {
                sink.abort();
            }
            sink.close();
        }
    }

    private void write(List<ServerEvent> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        for (ServerEvent event : events) {
            format(event, text);
        }
        sink.write(text.toString());
    }

    private void format(ServerEvent event, StringBuilder out) {
        out.append("id: ").append(event.id()).append('\n');
        out.append("event: ").append(event.type()).append('\n');
        out.append("data: ").append(json(event)).append("\n\n");
    }

    /** The event's data as this client sees it: with use-as-proxy-user, its own contexts by the names it gave. */
    private String json(ServerEvent event) {
        String prefix = subscription.filter().ownPrefix();
        if (prefix != null
                && event.type().equals(ServerEvent.CONTEXT)
                && event.data().get("name") instanceof String name
                && name.startsWith(prefix)) {
            Map<String, Object> shown = new LinkedHashMap<>(event.data());
            shown.put("name", name.substring(prefix.length()));
            return Json.write(shown);
        }
        return event.json();
    }
}
