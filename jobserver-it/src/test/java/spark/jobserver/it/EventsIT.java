package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.it.EventStreamClient.Event;

/**
 * {@code GET /events} over HTTP with a real driver: a streaming client sees a context start and a job run
 * in order, resumes with {@code Last-Event-ID}, filters by job, is told it missed events when its id is
 * older than the (small) window or of an earlier run, and its stream ends when the server stops.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EventsIT {
    private static final Duration START = Duration.ofMinutes(3);
    private static final String CONTEXT = "events-ctx";
    private static final String WORD_COUNT =
            "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CONTEXT + "&sync=true";
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start("spark.jobserver.events.buffer-size = 10");
        server.uploadExamples("test");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static boolean isContext(Event e, String state) {
        return e.type().equals("context")
                && e.data().path("name").asText().equals(CONTEXT)
                && e.data().path("state").asText().equals(state);
    }

    private static boolean isJob(Event e, String jobId, String status) {
        return e.type().equals("job")
                && e.data().path("jobId").asText().equals(jobId)
                && e.data().path("status").asText().equals(status);
    }

    private static String runJob() {
        var reply = server.post(WORD_COUNT, "input.string = a b a");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("jobId").asText();
    }

    private static int indexOf(List<Event> events, Predicate<Event> which) {
        for (int i = 0; i < events.size(); i++) {
            if (which.test(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    @Order(1)
    void aContextStartingAndAJobRunningAreSeenInOrderAndAClientResumesAfterItsLastEvent() throws Exception {
        try (EventStreamClient all = EventStreamClient.open(server.baseUrl(), "")) {
            server.createContext(CONTEXT, "");
            List<Event> started = all.await(es -> es.stream().anyMatch(e -> isContext(e, "RUNNING")));
            int first = indexOf(started, e -> isContext(e, "STARTED"));
            assertThat(first).as("STARTED before RUNNING: %s", started).isNotNegative();
            assertThat(first).isLessThan(indexOf(started, e -> isContext(e, "RUNNING")));
            Event running = started.get(indexOf(started, e -> isContext(e, "RUNNING")));
            // the data is what GET /contexts/<name> shows
            JsonNode shown = server.get("/contexts/" + CONTEXT).json();
            assertThat(running.data().path("id")).isEqualTo(shown.path("id"));
            assertThat(running.data().path("startTime")).isEqualTo(shown.path("startTime"));

            String jobId = runJob();
            List<Event> events = all.await(es -> es.stream().anyMatch(e -> isJob(e, jobId, "FINISHED")));
            int jobRunning = indexOf(events, e -> isJob(e, jobId, "RUNNING"));
            assertThat(jobRunning)
                    .as("RUNNING before FINISHED: %s", events)
                    .isGreaterThan(indexOf(events, e -> isContext(e, "RUNNING")));
            assertThat(jobRunning).isLessThan(indexOf(events, e -> isJob(e, jobId, "FINISHED")));
            JsonNode finished = events.get(indexOf(events, e -> isJob(e, jobId, "FINISHED")))
                    .data();
            JsonNode report = server.get("/jobs/" + jobId).json();
            for (String field :
                    List.of("jobId", "startTime", "classPath", "context", "contextId", "duration", "status")) {
                assertThat(finished.path(field)).as(field).isEqualTo(report.path(field));
            }
            assertThat(finished.has("result")).as("no result in the stream").isFalse();
            assertThat(events).extracting(Event::id).isSorted().doesNotHaveDuplicates();

            // resuming after the context's RUNNING event: exactly what came after it, by header or by parameter
            List<Event> after = events.subList(indexOf(events, e -> isContext(e, "RUNNING")) + 1, events.size());
            assertThat(after).isNotEmpty();
            try (EventStreamClient byHeader = EventStreamClient.open(
                            server.baseUrl(), "", "Last-Event-ID", String.valueOf(running.id()));
                    EventStreamClient byParam =
                            EventStreamClient.open(server.baseUrl(), "?lastEventId=" + running.id())) {
                assertThat(upTo(byHeader.await(es -> es.size() >= after.size()), after.get(after.size() - 1)))
                        .isEqualTo(after);
                assertThat(upTo(byParam.await(es -> es.size() >= after.size()), after.get(after.size() - 1)))
                        .isEqualTo(after);
                // then the live events, the same for every client
                String next = runJob();
                Predicate<List<Event>> seen = es -> es.stream().anyMatch(e -> isJob(e, next, "FINISHED"));
                List<Event> live = all.await(seen);
                Event nextFinished = live.stream()
                        .filter(e -> isJob(e, next, "FINISHED"))
                        .findFirst()
                        .orElseThrow();
                List<Event> expected =
                        upTo(live.subList(indexOf(live, e -> isContext(e, "RUNNING")) + 1, live.size()), nextFinished);
                assertThat(upTo(byHeader.await(seen), nextFinished)).isEqualTo(expected);
                assertThat(upTo(byParam.await(seen), nextFinished)).isEqualTo(expected);
            }
        }
    }

    /** The events up to {@code last}, inclusive. */
    private static List<Event> upTo(List<Event> events, Event last) {
        int end = events.indexOf(last);
        assertThat(end).as("%s in %s", last, events).isNotNegative();
        return events.subList(0, end + 1);
    }

    @Test
    @Order(2)
    void progressEventsComeOnlyWhenAskedAndShowWhatTheProgressRouteShows() throws Exception {
        try (EventStreamClient withProgress = EventStreamClient.open(server.baseUrl(), "?progress=true");
                EventStreamClient without = EventStreamClient.open(server.baseUrl(), "")) {
            String jobId = runJob();
            List<Event> events = withProgress.await(es -> es.stream().anyMatch(e -> isJob(e, jobId, "FINISHED")));
            List<Event> progress = events.stream()
                    .filter(e -> e.type().equals("progress")
                            && e.data().path("jobId").asText().equals(jobId))
                    .toList();
            // the last report comes before the job's end, complete
            assertThat(progress).as("%s", events).isNotEmpty();
            assertThat(events.indexOf(progress.get(progress.size() - 1)))
                    .isLessThan(indexOf(events, e -> isJob(e, jobId, "FINISHED")));
            JsonNode last = progress.get(progress.size() - 1).data();
            assertThat(last.path("status").asText()).isEqualTo("RUNNING");
            JsonNode stored = server.get("/jobs/" + jobId + "/progress").json();
            assertThat(last.path("sparkJobs")).isEqualTo(stored.path("sparkJobs"));
            assertThat(last.path("stages")).isEqualTo(stored.path("stages"));
            assertThat(stored.path("stages").size()).isPositive();
            assertThat(without.await(es -> es.stream().anyMatch(e -> isJob(e, jobId, "FINISHED"))))
                    .extracting(Event::type)
                    .doesNotContain("progress");
        }
    }

    @Test
    @Order(3)
    void aJobFilterShowsOnlyThatJob() throws Exception {
        long before;
        try (EventStreamClient all = EventStreamClient.open(server.baseUrl(), "")) {
            String marker = runJob();
            before = all.await(es -> es.stream().anyMatch(e -> isJob(e, marker, "FINISHED"))).stream()
                    .filter(e -> isJob(e, marker, "FINISHED"))
                    .findFirst()
                    .orElseThrow()
                    .id();
        }
        String one = runJob();
        String two = runJob();
        runJob();
        try (EventStreamClient onlyTwo = EventStreamClient.open(
                        server.baseUrl(), "?job=" + two, "Last-Event-ID", String.valueOf(before));
                EventStreamClient oneAndTwo = EventStreamClient.open(
                        server.baseUrl(), "?job=" + one + "&job=" + two + "&lastEventId=" + before)) {
            List<Event> events = onlyTwo.await(es -> es.stream().anyMatch(e -> isJob(e, two, "FINISHED")));
            assertThat(events)
                    .extracting(e -> e.type() + " " + e.data().path("jobId").asText() + " "
                            + e.data().path("status").asText())
                    .containsExactly("job " + two + " RUNNING", "job " + two + " FINISHED");
            assertThat(oneAndTwo.await(es -> es.size() >= 4))
                    .extracting(e -> e.data().path("jobId").asText() + " "
                            + e.data().path("status").asText())
                    .containsExactly(one + " RUNNING", one + " FINISHED", two + " RUNNING", two + " FINISHED");
        }
    }

    @Test
    @Order(4)
    void anIdOlderThanTheWindowIsToldItMissedEventsAndResumesFromThere() throws Exception {
        long old;
        try (EventStreamClient all = EventStreamClient.open(server.baseUrl(), "")) {
            String marker = runJob();
            old = all.await(es -> es.stream().anyMatch(e -> isJob(e, marker, "FINISHED")))
                    .get(0)
                    .id();
        }
        for (int i = 0; i < 6; i++) { // 12 events: more than the window of 10
            runJob();
        }
        Event reset;
        try (EventStreamClient late =
                EventStreamClient.open(server.baseUrl(), "", "Last-Event-ID", String.valueOf(old))) {
            reset = late.await(es -> !es.isEmpty()).get(0);
            assertThat(reset.type()).isEqualTo("reset");
            assertThat(reset.data().path("lastEventId").asText()).isEqualTo(String.valueOf(old));
            assertThat(reset.data().path("oldestEventId").asLong()).isGreaterThan(old + 1);
            assertThat(reset.id()).isGreaterThan(old);
        }
        try (EventStreamClient resumed =
                EventStreamClient.open(server.baseUrl(), "", "Last-Event-ID", String.valueOf(reset.id()))) {
            String next = runJob();
            assertThat(resumed.await(es -> es.stream().anyMatch(e -> isJob(e, next, "FINISHED"))))
                    .extracting(e -> e.data().path("jobId").asText() + " "
                            + e.data().path("status").asText())
                    .containsExactly(next + " RUNNING", next + " FINISHED");
        }
    }

    @Test
    @Order(5)
    void badParametersAreRefusedWithAJsonError() {
        var badHeader = server.send("GET", "/events", "", "Last-Event-ID", "yesterday");
        assertThat(badHeader.status()).as(badHeader.toString()).isEqualTo(400);
        assertThat(badHeader.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(badHeader.json().get("result").asText())
                .contains("Last-Event-ID")
                .contains("yesterday");
        var badParam = server.get("/events?lastEventId=x1");
        assertThat(badParam.status()).isEqualTo(400);
        assertThat(badParam.json().get("result").asText()).contains("lastEventId");
        var badProgress = server.get("/events?progress=maybe");
        assertThat(badProgress.status()).isEqualTo(400);
    }

    @Test
    @Order(6)
    void streamsEndWhenTheServerStopsAndAnIdOfTheEarlierRunGetsAReset() throws Exception {
        long last;
        try (EventStreamClient all = EventStreamClient.open(server.baseUrl(), "")) {
            String marker = runJob();
            List<Event> events = all.await(es -> es.stream().anyMatch(e -> isJob(e, marker, "FINISHED")));
            last = events.get(events.size() - 1).id();
            server.stopServer();
            assertThat(all.endsWithin(Duration.ofSeconds(10)))
                    .as("the stream ended with the server")
                    .isTrue();
        }
        server.startAgain();
        server.await(
                "/contexts/" + CONTEXT,
                r -> r.status() == 200 && r.json().path("state").asText().equals("RUNNING"),
                START);
        try (EventStreamClient resumed =
                EventStreamClient.open(server.baseUrl(), "", "Last-Event-ID", String.valueOf(last))) {
            Event first = resumed.await(es -> !es.isEmpty()).get(0);
            assertThat(first.type()).isEqualTo("reset");
            assertThat(first.id()).isGreaterThan(last);
        }
    }
}
