package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * Driver logs as resources, with real drivers: {@code GET /contexts/<name>/logs} in pages and ranges,
 * {@code GET /jobs/<id>/logs} with only the job's own lines (its logged and printed lines and its stack
 * trace), following both while lines are written, a driver that ships its log, and a stopped context's
 * log still served.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogsIT {
    private static final String CTX = "logs-ctx";
    private static final String SHIPPING = "logs-shipping";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static TestingJobServer server;
    private static String firstJob;
    private static String firstMarker;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String marker() {
        return "marker-" + UUID.randomUUID();
    }

    /** Runs JavaLoggingJob to its end and returns its id. */
    private static String runJob(String context, String marker) {
        Reply reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.JavaLoggingJob&context=" + context
                        + "&sync=true&timeout=60",
                "marker = \"" + marker + "\"");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().get("result").asText()).isEqualTo(marker);
        return reply.json().get("jobId").asText();
    }

    private static long nextOffset(Reply reply) {
        return Long.parseLong(reply.header("X-Next-Offset").orElseThrow());
    }

    @Test
    @Order(1)
    void aContextsLogComesInPagesThatJoinToIt() {
        firstMarker = marker();
        firstJob = runJob(CTX, firstMarker);

        StringBuilder joined = new StringBuilder();
        long offset = 0;
        int pages = 0;
        while (true) {
            Reply page = server.get("/contexts/" + CTX + "/logs?offset=" + offset + "&limit=8192");
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            assertThat(page.header("Content-Type").orElseThrow()).startsWith("text/plain");
            if (page.body().isEmpty()) {
                assertThat(nextOffset(page)).isEqualTo(offset);
                break;
            }
            assertThat(page.body().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(8192);
            joined.append(page.body());
            offset = nextOffset(page);
            pages++;
        }
        assertThat(pages).isGreaterThan(1);
        String log = joined.toString();
        assertThat(log)
                .contains("[job " + firstJob + "] ")
                .contains("logged " + firstMarker + " 1")
                .contains("printed " + firstMarker + " 1");
        // the same bytes as one Range, and as the file the driver writes
        Reply range = server.send("GET", "/contexts/" + CTX + "/logs", "", "Range", "bytes=0-" + (offset - 1));
        assertThat(range.status()).as(range.toString()).isEqualTo(206);
        assertThat(range.header("Content-Range").orElseThrow()).startsWith("bytes 0-" + (offset - 1) + "/");
        assertThat(range.body()).isEqualTo(log);
        Reply suffix = server.send("GET", "/contexts/" + CTX + "/logs", "", "Range", "bytes=-10");
        assertThat(suffix.status()).isEqualTo(206);
        assertThat(suffix.body()).hasSize(10);
    }

    @Test
    @Order(2)
    void aJobsLogHoldsItsOwnLinesAndStackTraceOnly() {
        String otherMarker = marker();
        String other = runJob(CTX, otherMarker);

        Reply first = server.get("/jobs/" + firstJob + "/logs");
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.body())
                .contains("[job " + firstJob + "] ")
                .contains("logged " + firstMarker + " 1")
                .contains("printed " + firstMarker + " 1")
                .contains("failed " + firstMarker)
                .contains("java.lang.IllegalStateException: deliberate " + firstMarker)
                .containsPattern("\tat .*spark.jobserver.JavaLoggingJob.run")
                .doesNotContain(otherMarker)
                .doesNotContain("[job " + other + "]");
        for (String line : first.body().split("\n")) {
            assertThat(line.startsWith("[job " + firstJob + "] ")
                            || line.startsWith("\t")
                            || line.contains("Exception"))
                    .as(line)
                    .isTrue();
        }
        Reply second = server.get("/jobs/" + other + "/logs");
        assertThat(second.body()).contains("logged " + otherMarker + " 1").doesNotContain(firstMarker);

        // in pages, by the offset in the driver log: small pages join to the same lines
        StringBuilder joined = new StringBuilder();
        long offset = 0;
        while (true) {
            Reply page = server.get("/jobs/" + firstJob + "/logs?offset=" + offset + "&limit=200");
            assertThat(page.status()).isEqualTo(200);
            long next = nextOffset(page);
            joined.append(page.body());
            if (next == offset
                    || next >= Long.parseLong(page.header("X-Log-Size").orElseThrow())) {
                break;
            }
            offset = next;
        }
        assertThat(joined.toString()).isEqualTo(first.body());
    }

    @Test
    @Order(3)
    void followingAContextReceivesLinesWrittenAfterTheRequest() throws Exception {
        HttpResponse<InputStream> follow = HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(server.baseUrl() + "/contexts/" + CTX + "/logs?follow=true&offset=end"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(follow.statusCode()).isEqualTo(200);
        String marker = marker();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(follow.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<List<String>> seen =
                    CompletableFuture.supplyAsync(() -> readUntil(lines, "failed " + marker));
            runJob(CTX, marker);
            List<String> received = seen.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(received).anyMatch(l -> l.contains("logged " + marker + " 1"));
            assertThat(received).noneMatch(l -> l.contains(firstMarker));
        }
        // the client went away: the server notices at its next write, nothing more to check from here
    }

    @Test
    @Order(4)
    void followingAJobEndsWithTheJob() throws Exception {
        String marker = marker();
        Reply started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.JavaLoggingJob&context=" + CTX,
                "marker = \"" + marker + "\"\nlines = 4\ninterval.ms = 700");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        HttpResponse<java.util.stream.Stream<String>> follow = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/jobs/" + jobId + "/logs?follow=true"))
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(follow.statusCode()).isEqualTo(200);
        // the body ends by itself once the job has ended
        List<String> lines =
                CompletableFuture.supplyAsync(() -> follow.body().toList()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(lines).anyMatch(l -> l.contains("logged " + marker + " 1"));
        assertThat(lines).anyMatch(l -> l.contains("printed " + marker + " 4"));
        assertThat(lines).anyMatch(l -> l.contains("failed " + marker));
        assertThat(lines)
                .allMatch(l -> l.startsWith("[job " + jobId + "] ") || l.startsWith("\t") || l.contains("Exception"));
    }

    @Test
    @Order(5)
    void unknownLogsAndBadParametersAreRefused() {
        assertThat(server.get("/contexts/no-such-context/logs").status()).isEqualTo(404);
        Reply job = server.get("/jobs/no-such-job/logs");
        assertThat(job.status()).isEqualTo(404);
        assertThat(job.json().get("status").asText()).isEqualTo("ERROR");
        Reply negative = server.get("/contexts/" + CTX + "/logs?offset=-1");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().get("result").asText()).contains("offset");
        assertThat(server.get("/contexts/" + CTX + "/logs?offset=abc").status()).isEqualTo(400);
        assertThat(server.get("/contexts/" + CTX + "/logs?limit=0").status()).isEqualTo(400);
        assertThat(server.get("/jobs/" + firstJob + "/logs?follow=maybe").status())
                .isEqualTo(400);
        Reply beyond = server.send("GET", "/contexts/" + CTX + "/logs", "", "Range", "bytes=999999999-");
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.header("Content-Range").orElseThrow()).startsWith("bytes */");
    }

    @Test
    @Order(6)
    void aDriverThatShipsItsLogIsServedTheShippedLines() throws Exception {
        server.createContext(SHIPPING, "ship-driver-log=true");
        String contextId = server.get("/contexts/" + SHIPPING).json().get("id").asText();
        String marker = marker();
        String jobId = runJob(SHIPPING, marker);
        Path shipped = server.root().resolve("contexts").resolve(contextId).resolve("driver-shipped.log");
        // the driver sends what it logged every second
        Reply log = server.await("/jobs/" + jobId + "/logs", r -> r.body().contains("failed " + marker), WAIT);
        assertThat(Files.exists(shipped)).isTrue();
        assertThat(Files.readString(shipped)).contains("[job " + jobId + "] ").contains("printed " + marker + " 1");
        assertThat(log.body()).contains("logged " + marker + " 1").contains("printed " + marker + " 1");
        assertThat(server.get("/contexts/" + SHIPPING + "/logs").body()).contains("Shipping this driver's log");
        assertThat(server.delete("/contexts/" + SHIPPING).status()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void aStoppedContextsLogIsStillServed() {
        assertThat(server.delete("/contexts/" + CTX).status()).isEqualTo(200);
        server.await("/contexts/" + CTX, r -> r.json().get("state").asText().equals("FINISHED"), WAIT);
        Reply log = server.get("/contexts/" + CTX + "/logs");
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.body()).contains("logged " + firstMarker + " 1");
        assertThat(server.get("/jobs/" + firstJob + "/logs").body()).contains("printed " + firstMarker + " 1");
        // following an ended context's log answers what there is and ends
        Reply followed = server.get("/contexts/" + CTX + "/logs?follow=true");
        assertThat(followed.status()).isEqualTo(200);
        assertThat(followed.body()).contains("logged " + firstMarker + " 1");
    }

    private static List<String> readUntil(BufferedReader lines, String wanted) {
        List<String> seen = new ArrayList<>();
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                seen.add(line);
                if (line.contains(wanted)) {
                    return seen;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("the followed log ended before '" + wanted + "': " + seen);
    }
}
