package spark.jobserver.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.testing.Eventually;
import spark.jobserver.server.testing.MutableClock;

class EventSenderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final EventLog log = new EventLog(new MutableClock(Instant.parse("2026-11-30T10:00:00Z")), 100, 10);
    private final ExecutorService senders = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        log.close();
        senders.shutdownNow();
        assertThat(senders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** What a client received; {@link #stall} makes its writes block until it is aborted, as a client that stopped reading. */
    static final class RecordingSink implements EventSender.Sink {
        private final StringBuffer text = new StringBuffer();
        private final CountDownLatch aborted = new CountDownLatch(1);
        private final CountDownLatch closed = new CountDownLatch(1);
        private final CountDownLatch writing = new CountDownLatch(1);
        private volatile boolean stall;

        @Override
        public void write(String chunk) throws IOException {
            if (aborted.getCount() == 0) {
                throw new IOException("connection closed");
            }
            if (stall) {
                writing.countDown();
                try {
                    aborted.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("connection closed");
            }
            text.append(chunk);
        }

        @Override
        public void close() {
            closed.countDown();
        }

        @Override
        public void abort() {
            aborted.countDown();
        }

        String text() {
            return text.toString();
        }

        boolean closed() throws InterruptedException {
            return closed.await(10, TimeUnit.SECONDS);
        }
    }

    private RecordingSink follow(Subscription subscription, Duration keepAlive) {
        RecordingSink sink = new RecordingSink();
        senders.execute(new EventSender(log, subscription, sink, keepAlive));
        return sink;
    }

    @Test
    void eachEventIsWrittenWithItsIdTypeAndDataLines() throws InterruptedException {
        RecordingSink sink = follow(log.subscribe(EventFilter.ALL, null, 10), WAIT);
        ServerEvent event = log.publish(ServerEvent.JOB, "c", "j1", Map.of("jobId", "j1"));
        String expected = "id: " + event.id() + "\nevent: job\ndata: {\"jobId\":\"j1\"}\n\n";
        Eventually.await(sink::text, t -> t.contains(expected), WAIT);
        assertThat(sink.text()).isEqualTo(": connected\n\n" + expected);
    }

    @Test
    void aSilentStreamGetsKeepAliveComments() {
        RecordingSink sink = follow(log.subscribe(EventFilter.ALL, null, 10), Duration.ofMillis(20));
        Eventually.await(sink::text, t -> t.contains(": keep-alive\n\n: keep-alive\n\n"), WAIT);
    }

    @Test
    void aClientThatStopsReadingIsDroppedWithoutHoldingUpThePublisherOrOthers() throws InterruptedException {
        RecordingSink slow = follow(log.subscribe(EventFilter.ALL, null, 3), WAIT);
        RecordingSink other = follow(log.subscribe(EventFilter.ALL, null, 100), WAIT);
        Eventually.await(slow::text, t -> t.startsWith(": connected"), WAIT);
        slow.stall = true;
        log.publish(ServerEvent.JOB, "c", "j0", Map.of("jobId", "j0"));
        assertThat(slow.writing.await(10, TimeUnit.SECONDS))
                .as("the sender is stuck writing")
                .isTrue();
        // the publisher fills the stuck client's queue, never waits on it, and drops it when it overflows
        for (int i = 1; i <= 10; i++) {
            log.publish(ServerEvent.JOB, "c", "j" + i, Map.of("jobId", "j" + i));
        }
        assertThat(slow.aborted.await(10, TimeUnit.SECONDS))
                .as("the stuck connection is ended")
                .isTrue();
        assertThat(slow.closed()).isTrue();
        assertThat(log.clients()).isEqualTo(1);
        Eventually.await(other::text, t -> t.contains("\"j10\""), WAIT);
        for (int i = 0; i <= 10; i++) {
            assertThat(other.text()).contains("{\"jobId\":\"j" + i + "\"}");
        }
    }

    @Test
    void aClientThatWentAwayIsUnsubscribed() throws InterruptedException {
        RecordingSink sink = follow(log.subscribe(EventFilter.ALL, null, 10), WAIT);
        Eventually.await(sink::text, t -> t.startsWith(": connected"), WAIT);
        sink.abort(); // its next write fails
        log.publish(ServerEvent.JOB, "c", "j1", Map.of("jobId", "j1"));
        assertThat(sink.closed()).isTrue();
        Eventually.await(log::clients, n -> n == 0, WAIT);
    }

    @Test
    void closingTheLogEndsEveryStream() throws InterruptedException {
        RecordingSink a = follow(log.subscribe(EventFilter.ALL, null, 10), WAIT);
        RecordingSink b = follow(log.subscribe(EventFilter.ALL, null, 10), WAIT);
        log.close();
        assertThat(a.closed()).isTrue();
        assertThat(b.closed()).isTrue();
        assertThat(a.aborted.getCount()).as("ended normally").isEqualTo(1);
    }

    @Test
    void aResumingClientIsSentWhatItMissedFirst() {
        long first =
                log.publish(ServerEvent.JOB, "c", "j1", Map.of("jobId", "j1")).id();
        log.publish(ServerEvent.JOB, "c", "j2", Map.of("jobId", "j2"));
        RecordingSink sink = follow(log.subscribe(EventFilter.ALL, first, 10), WAIT);
        log.publish(ServerEvent.JOB, "c", "j3", Map.of("jobId", "j3"));
        Eventually.await(sink::text, t -> t.contains("j3"), WAIT);
        assertThat(sink.text()).doesNotContain("\"j1\"");
        assertThat(sink.text().indexOf("\"j2\"")).isLessThan(sink.text().indexOf("\"j3\""));
    }

    @Test
    void withProxyUsersAContextIsShownByTheNameItsUserGaveIt() {
        RecordingSink sink =
                follow(log.subscribe(new EventFilter(Set.of(), Set.of(), false, "alice~"), null, 10), WAIT);
        log.publish(ServerEvent.CONTEXT, "alice~ctx", null, Map.of("name", "alice~ctx"));
        Eventually.await(sink::text, t -> t.contains("data: {\"name\":\"ctx\"}"), WAIT);
    }
}
