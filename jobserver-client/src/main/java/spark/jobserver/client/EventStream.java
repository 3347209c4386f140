package spark.jobserver.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The events of {@code GET /events} as they come, read from the open stream: {@link #hasNext()} blocks until
 * the next event or the stream's end (the server stopping, or dropping a client that read too slowly).
 * Closing it, from any thread, ends the stream. It does not reconnect: to resume, open a new one with
 * {@link EventQuery#lastEventId(String)} set to {@link #lastEventId()}.
 */
public final class EventStream implements Iterator<ServerEvent>, AutoCloseable {
    private final InputStream body;
    private final BufferedReader reader;
    private ServerEvent next;
    private String lastEventId;
    private boolean ended;

    EventStream(InputStream body) {
        this.body = body;
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            next = read();
        }
        return next != null;
    }

    @Override
    public ServerEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("The event stream ended");
        }
        ServerEvent event = next;
        next = null;
        lastEventId = event.id();
        return event;
    }

    /** The id of the last event {@link #next()} returned, or null. */
    public String lastEventId() {
        return lastEventId;
    }

    @Override
    public void close() {
        ended = true;
        try {
            body.close();
        } catch (IOException e) {
            // closing a stream that failed: nothing left to do
        }
    }

    /** Reads up to the next event (the text/event-stream format: fields, then a blank line), or null at the end. */
    private ServerEvent read() {
        String id = null;
        String type = "message";
        StringBuilder data = null;
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        return new ServerEvent(id, type, Json.parse(data.toString()));
                    }
                    id = null;
                    type = "message";
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> type = value;
                    case "data" ->
                        data = data == null
                                ? new StringBuilder(value)
                                : data.append('\n').append(value);
                    default -> {}
                }
            }
            ended = true;
            return null;
        } catch (IOException e) {
            if (ended) {
                return null;
            }
            ended = true;
            throw new UncheckedIOException("The event stream failed", e);
        }
    }
}
