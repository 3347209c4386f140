package spark.jobserver.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.contexts.ContextInfo;
import spark.jobserver.server.contexts.ContextState;
import spark.jobserver.server.http.CorsSettings;
import spark.jobserver.server.http.HttpServer;

/** The stream over real HTTP (the routes on the server's Jetty), with clients on raw sockets. */
class EventRoutesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private EventStream stream;
    private HttpServer http;

    @BeforeEach
    void start() {
        stream = new EventStream(
                new EventSettings(100, 10, 10, Duration.ofSeconds(15), Duration.ZERO), Clock.systemUTC(), scheduler);
        QueuedThreadPool threads = new QueuedThreadPool(20, 4);
        http = new HttpServer(
                        "127.0.0.1",
                        0,
                        1 << 20,
                        1 << 20,
                        threads,
                        null,
                        new CorsSettings(List.of()),
                        List.of(new EventRoutes(stream, ProxyUsers.off())::register))
                .start();
    }

    @AfterEach
    void stop() {
        stream.close();
        http.close();
        scheduler.shutdownNow();
    }

    /** A client on a raw socket: it sends the request and reads only as far as it is asked to. */
    private Socket connect(String query) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", http.port()));
        socket.setSoTimeout((int) WAIT.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(("GET /events" + query + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** Reads until {@code text} was read; returns all that was read. */
    private static String readUntil(InputStream in, String text) throws IOException {
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[8192];
        while (read.indexOf(text) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new AssertionError("the stream ended before '" + text + "': " + read);
            }
            read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return read.toString();
    }

    /** A context event of about 64 KiB, so that a few fill the socket buffers. */
    private static ContextInfo bigContext(int n) {
        return new ContextInfo(
                "id-" + n,
                "ctx",
                "{}",
                ContextState.RUNNING,
                Instant.now(),
                null,
                "app-" + n + "-" + "x".repeat(64 * 1024),
                null,
                null,
                null,
                null);
    }

    @Test
    void theReplyIsAnEventStreamAndEventsArriveAsTheyHappen() throws IOException {
        try (Socket client = connect("?context=ctx")) {
            InputStream in = client.getInputStream();
            String head = readUntil(in, ": connected\n\n");
            assertThat(head).startsWith("HTTP/1.1 200");
            assertThat(head.toLowerCase(java.util.Locale.ROOT))
                    .contains("content-type: text/event-stream")
                    .contains("cache-control: no-cache");
            stream.follower()
                    .contextChanged(new ContextInfo(
                            "id-1",
                            "ctx",
                            "{}",
                            ContextState.STARTED,
                            Instant.now(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null));
            stream.follower()
                    .contextChanged(new ContextInfo(
                            "id-2",
                            "other",
                            "{}",
                            ContextState.STARTED,
                            Instant.now(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null));
            stream.follower()
                    .contextChanged(new ContextInfo(
                            "id-1",
                            "ctx",
                            "{}",
                            ContextState.RUNNING,
                            Instant.now(),
                            null,
                            null,
                            null,
                            null,
                            null,
                            null));
            String events = readUntil(in, "\"state\":\"RUNNING\"");
            assertThat(events).contains("event: context\ndata: {\"id\":\"id-1\",\"name\":\"ctx\"");
            assertThat(events).doesNotContain("other");
        }
    }

    @Test
    void aClientThatStopsReadingIsDroppedAndTheOthersAndThePublisherGoOn() throws IOException {
        try (Socket slow = connect("");
                Socket reader = connect("")) {
            readUntil(slow.getInputStream(), ": connected\n\n");
            InputStream in = reader.getInputStream();
            readUntil(in, ": connected\n\n");
            // The slow client reads no more. Its socket buffers fill, its sender blocks in a write, its queue of
            // 10 overflows: it is dropped, while this thread (the publisher) never waits.
            int published = 0;
            while (stream.clients() == 2) {
                stream.follower().contextChanged(bigContext(++published));
                String last = "\"applicationId\":\"app-" + published + "-";
                readUntil(in, last); // the other client keeps up
                assertThat(published).as("the slow client is dropped").isLessThan(5000);
            }
            // its connection was ended: once what was buffered is read, the stream stops
            slow.setSoTimeout((int) WAIT.toMillis());
            InputStream rest = slow.getInputStream();
            byte[] buffer = new byte[1 << 16];
            try {
                while (rest.read(buffer) >= 0) {
                    // drain
                }
            } catch (SocketException e) {
                // reset: ended too
            }
            // the other client still follows
            stream.follower().contextChanged(bigContext(-1));
            readUntil(in, "\"applicationId\":\"app--1-");
            assertThat(stream.clients()).isEqualTo(1);
        }
    }

    @Test
    void closingTheStreamEndsEveryClientsStream() throws IOException {
        try (Socket a = connect("");
                Socket b = connect("?progress=true")) {
            readUntil(a.getInputStream(), ": connected\n\n");
            readUntil(b.getInputStream(), ": connected\n\n");
            stream.close();
            for (Socket s : List.of(a, b)) {
                InputStream in = s.getInputStream();
                // the chunked body's last chunk, then the end of the connection or the next reply on it
                readUntil(in, "0\r\n\r\n");
            }
        }
    }

    @Test
    void aMalformedLastEventIdIsA400WithTheJsonEnvelope() throws IOException {
        try (Socket client = connect("?lastEventId=abc")) {
            String reply = readUntil(client.getInputStream(), "}");
            assertThat(reply).startsWith("HTTP/1.1 400");
            assertThat(reply).contains("\"status\":\"ERROR\"").contains("lastEventId: 'abc'");
        }
    }
}
