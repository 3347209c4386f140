package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client of {@code GET /events} reading the stream on a thread of its own, as a browser's EventSource
 * would; tests wait on what it received.
 */
final class EventStreamClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final List<Event> events = new ArrayList<>();
    private final InputStream body;
    private final CountDownLatch ended = new CountDownLatch(1);

    /** One event as the client parsed it. */
    record Event(long id, String type, JsonNode data) {}

    private EventStreamClient(InputStream body) {
        this.body = body;
        Thread reader = new Thread(this::read, "events-it-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens the stream and fails unless it is one.
     *
     * @param headers name, value, name, value, ...
     */
    static EventStreamClient open(String baseUrl, String query, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/events" + query));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            String error = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            throw new AssertionError("GET /events" + query + ": " + response.statusCode() + " " + error);
        }
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        return new EventStreamClient(response.body());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            Long id = null;
            String type = null;
            StringBuilder data = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isEmpty()) {
                    if (type != null) {
                        Event event = new Event(id, type, JSON.readTree(data.toString()));
                        synchronized (this) {
                            events.add(event);
                        }
                    }
                    id = null;
                    type = null;
                    data.setLength(0);
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                } // comments (":") keep the connection alive
            }
        } catch (IOException e) {
            // closed
        } finally {
            ended.countDown();
        }
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The events received once {@code done} holds for them; fails after a minute. */
    List<Event> await(Predicate<List<Event>> done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Event> now = events();
            if (done.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream did not get the expected events in " + WAIT + "; got " + now);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Whether the server ended the stream within {@code timeout}. */
    boolean endsWithin(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
