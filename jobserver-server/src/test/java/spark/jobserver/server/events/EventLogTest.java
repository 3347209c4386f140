package spark.jobserver.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.testing.MutableClock;

class EventLogTest {
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
    private final MutableClock clock = new MutableClock(START);

    private static ServerEvent job(EventLog log, String context, String jobId) {
        return log.publish(ServerEvent.JOB, context, jobId, Map.of("jobId", jobId));
    }

    private static List<Long> ids(List<ServerEvent> events) {
        return events.stream().map(ServerEvent::id).toList();
    }

    private static List<ServerEvent> drain(Subscription subscription) throws InterruptedException {
        return subscription.take(Duration.ZERO);
    }

    @Test
    void idsCountUpFromTheStartTimeSoThatALaterRunStartsAboveEveryEarlierId() {
        EventLog first = new EventLog(clock, 10, 10);
        ServerEvent a = job(first, "c", "j1");
        ServerEvent b = job(first, "c", "j2");
        assertThat(a.id()).isEqualTo(START.toEpochMilli() * 1000);
        assertThat(b.id()).isEqualTo(a.id() + 1);

        clock.advance(Duration.ofMillis(1));
        EventLog restarted = new EventLog(clock, 10, 10);
        assertThat(job(restarted, "c", "j3").id()).isGreaterThan(b.id());
    }

    @Test
    void theWindowKeepsTheNewestEvents() throws InterruptedException {
        EventLog log = new EventLog(clock, 3, 10);
        long first = job(log, "c", "j1").id();
        for (int i = 2; i <= 5; i++) {
            job(log, "c", "j" + i);
        }
        // the window holds ids first+2 .. first+4: resuming after first+1 replays all of it
        Subscription resumed = log.subscribe(EventFilter.ALL, first + 1, 10);
        assertThat(ids(resumed.first())).containsExactly(first + 2, first + 3, first + 4);
        assertThat(drain(resumed)).isEmpty();
    }

    @Test
    void aClientResumesWithExactlyTheEventsAfterItsLastOneThenTheLiveOnes() throws InterruptedException {
        EventLog log = new EventLog(clock, 100, 10);
        long a = job(log, "c", "j1").id();
        long b = job(log, "c", "j2").id();
        long c = job(log, "c", "j3").id();

        Subscription resumed = log.subscribe(EventFilter.ALL, a, 10);
        assertThat(ids(resumed.first())).containsExactly(b, c);
        long d = job(log, "c", "j4").id();
        assertThat(ids(drain(resumed))).containsExactly(d);

        assertThat(log.subscribe(EventFilter.ALL, d, 10).first()).isEmpty();
        assertThat(log.subscribe(EventFilter.ALL, null, 10).first()).isEmpty();
    }

    @Test
    void anIdOlderThanTheWindowGetsAResetUnderTheLatestIdFromWhichTheClientResumes() throws InterruptedException {
        EventLog log = new EventLog(clock, 2, 10);
        long a = job(log, "c", "j1").id();
        job(log, "c", "j2");
        job(log, "c", "j3");
        long latest = job(log, "c", "j4").id();

        Subscription late = log.subscribe(EventFilter.ALL, a, 10);
        assertThat(late.first()).hasSize(1);
        ServerEvent reset = late.first().get(0);
        assertThat(reset.type()).isEqualTo("reset");
        assertThat(reset.id()).isEqualTo(latest);
        assertThat(reset.data()).containsEntry("lastEventId", String.valueOf(a));
        assertThat(reset.data()).containsEntry("oldestEventId", String.valueOf(latest - 1));
        assertThat(reset.json()).contains("GET /contexts");

        // the reset's id resumes with nothing missed
        Subscription again = log.subscribe(EventFilter.ALL, reset.id(), 10);
        assertThat(again.first()).isEmpty();
        long next = job(log, "c", "j5").id();
        assertThat(ids(drain(again))).containsExactly(next);
    }

    @Test
    void anIdOfAnotherRunOrNotYetGivenGetsAReset() {
        EventLog earlier = new EventLog(clock, 10, 10);
        long old = job(earlier, "c", "j1").id();
        clock.advance(Duration.ofSeconds(5));
        EventLog log = new EventLog(clock, 10, 10);
        // no event yet in this run: the earlier run's events after old are not known here
        assertThat(log.subscribe(EventFilter.ALL, old, 10).first())
                .extracting(ServerEvent::type)
                .containsExactly("reset");
        long now = job(log, "c", "j2").id();
        assertThat(log.subscribe(EventFilter.ALL, old, 10).first())
                .extracting(ServerEvent::type)
                .containsExactly("reset");
        assertThat(log.subscribe(EventFilter.ALL, now + 1, 10).first())
                .extracting(ServerEvent::type)
                .containsExactly("reset");
        assertThat(log.subscribe(EventFilter.ALL, -1L, 10).first())
                .extracting(ServerEvent::type)
                .containsExactly("reset");
    }

    @Test
    void filtersByContextJobAndProgressAndEachGivenFilterMustMatch() throws InterruptedException {
        EventLog log = new EventLog(clock, 100, 10);
        Subscription byContext = log.subscribe(new EventFilter(Set.of("a"), Set.of(), false, null), null, 100);
        Subscription byJob = log.subscribe(new EventFilter(Set.of(), Set.of("j1", "j3"), false, null), null, 100);
        Subscription both = log.subscribe(new EventFilter(Set.of("a"), Set.of("j3"), true, null), null, 100);
        Subscription withProgress = log.subscribe(new EventFilter(Set.of(), Set.of(), true, null), null, 100);

        ServerEvent ctxA = log.publish(ServerEvent.CONTEXT, "a", null, Map.of("name", "a"));
        ServerEvent ctxB = log.publish(ServerEvent.CONTEXT, "b", null, Map.of("name", "b"));
        ServerEvent j1 = job(log, "a", "j1");
        ServerEvent j2 = job(log, "b", "j2");
        ServerEvent j3 = job(log, "b", "j3");
        ServerEvent p1 = log.publish(ServerEvent.PROGRESS, "a", "j1", Map.of("jobId", "j1"));

        assertThat(drain(byContext)).containsExactly(ctxA, j1);
        assertThat(drain(byJob)).containsExactly(j1, j3);
        assertThat(drain(both)).isEmpty();
        assertThat(drain(withProgress)).containsExactly(ctxA, ctxB, j1, j2, j3, p1);

        // a resumed client's replay is filtered the same way
        assertThat(log.subscribe(new EventFilter(Set.of("b"), Set.of(), false, null), ctxA.id(), 100)
                        .first())
                .containsExactly(ctxB, j2, j3);
        // progress ticks are live only: a resumed client asking for them gets the state changes
        assertThat(log.subscribe(withProgress.filter(), ctxA.id(), 100).first()).containsExactly(ctxB, j1, j2, j3);
    }

    @Test
    void withProxyUsersAUserHearsOfItsOwnContextsOnly() throws InterruptedException {
        EventLog log = new EventLog(clock, 100, 10);
        Subscription alice = log.subscribe(new EventFilter(Set.of(), Set.of(), false, "alice~"), null, 100);
        ServerEvent own = log.publish(ServerEvent.CONTEXT, "alice~c", null, Map.of("name", "alice~c"));
        log.publish(ServerEvent.CONTEXT, "bob~c", null, Map.of("name", "bob~c"));
        assertThat(drain(alice)).containsExactly(own);
    }

    @Test
    void aClientWhoseQueueOverflowsIsDroppedAndTheOthersAndThePublisherGoOn() throws InterruptedException {
        EventLog log = new EventLog(clock, 100, 10);
        Subscription slow = log.subscribe(EventFilter.ALL, null, 2);
        AtomicInteger aborted = new AtomicInteger();
        slow.abortWith(aborted::incrementAndGet);
        Subscription fast = log.subscribe(EventFilter.ALL, null, 100);

        job(log, "c", "j1");
        job(log, "c", "j2");
        assertThat(slow.ended()).isNull();
        job(log, "c", "j3");
        assertThat(slow.ended()).isEqualTo(Subscription.End.DROPPED);
        assertThat(aborted).hasValue(1);
        assertThat(slow.take(Duration.ofSeconds(5))).as("an ended subscription").isNull();
        assertThat(log.clients()).isEqualTo(1);

        job(log, "c", "j4");
        assertThat(drain(fast)).extracting(ServerEvent::jobId).containsExactly("j1", "j2", "j3", "j4");
        assertThat(aborted).hasValue(1);
    }

    @Test
    void clientsBeyondTheLimitAndAfterCloseAreRefusedWith503() {
        EventLog log = new EventLog(clock, 100, 1);
        Subscription one = log.subscribe(EventFilter.ALL, null, 10);
        assertThatThrownBy(() -> log.subscribe(EventFilter.ALL, null, 10))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(503))
                .hasMessageContaining("spark.jobserver.events.max-clients");
        log.unsubscribe(one);
        Subscription two = log.subscribe(EventFilter.ALL, null, 10);

        assertThat(log.close()).containsExactly(two);
        assertThat(two.ended()).isEqualTo(Subscription.End.CLOSED);
        assertThatThrownBy(() -> log.subscribe(EventFilter.ALL, null, 10))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.httpStatus()).isEqualTo(503));
    }
}
