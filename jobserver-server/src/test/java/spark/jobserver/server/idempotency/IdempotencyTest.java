package spark.jobserver.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.config.RoutesConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.HttpServer;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.TestingHttpServer;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.testing.MutableClock;

/**
 * The filter over HTTP, on a real server and database but a route of its own: what a client sees of a repeat,
 * a concurrent repeat, a reused key, a key of a server that died, and answers that are not kept.
 */
class IdempotencyTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    private final AtomicInteger runs = new AtomicInteger();
    private final List<HttpServer> servers = new ArrayList<>();
    private final ExecutorService replies = Executors.newCachedThreadPool();
    /** What the route answers with: its future, completed by the test when it wants the route to be slow. */
    private volatile CompletableFuture<Integer> pending;

    private volatile int status = 202;
    private volatile int replySize = 0;
    private Database database;

    @BeforeEach
    void setUp() {
        database = TestDatabases.clean(TestDatabases.Backend.H2);
    }

    @AfterEach
    void tearDown() {
        servers.forEach(HttpServer::close);
        replies.shutdownNow();
    }

    /** A server of instance {@code instanceId} over the shared database. */
    private HttpServer server(IdempotencySettings settings, String instanceId, Predicate<String> alive) {
        Idempotency idempotency =
                new Idempotency(settings, new JdbcIdempotencyStore(database), clock, instanceId, alive);
        HttpServer server = TestingHttpServer.of(idempotency::register, this::routes);
        servers.add(server);
        return server.start();
    }

    private HttpServer server() {
        return server(new IdempotencySettings(true, Duration.ofHours(24), 1 << 20), "me", "me"::equals);
    }

    private void routes(RoutesConfig routes) {
        ApiRoutes.on(routes)
                .idempotentPost(
                        "/things/{name}",
                        ApiRoutes.Body.READ,
                        ctx -> {
                            String id = "run-" + runs.incrementAndGet();
                            CompletableFuture<Integer> waitFor =
                                    pending != null ? pending : CompletableFuture.completedFuture(0);
                            ctx.future(() -> waitFor.thenApplyAsync(
                                    ignored -> {
                                        Replies.made(ctx, "jobId", id);
                                        if (status >= 500) {
                                            throw ApiException.error(status, "failed " + id);
                                        }
                                        Replies.json(
                                                ctx,
                                                status,
                                                Map.of("jobId", id, "body", ctx.body(), "pad", "x".repeat(replySize)));
                                        return null;
                                    },
                                    replies));
                        },
                        doc -> doc.summary("test").pathParam("name", "a name").success(202, "ran"))
                .idempotentPost(
                        "/streams/{name}",
                        ApiRoutes.Body.READ,
                        ctx -> {
                            // as a sync job's stream result is relayed: written to the response, not set as its result
                            Replies.made(ctx, "jobId", "run-" + runs.incrementAndGet());
                            ctx.status(200).contentType("application/json");
                            ctx.res().getOutputStream().write("{\"result\":[1,2,3]}".getBytes(StandardCharsets.UTF_8));
                        },
                        doc -> doc.summary("test").pathParam("name", "a name").success(200, "streamed"))
                .idempotentPost(
                        "/uploads/{name}",
                        ApiRoutes.Body.STREAMED,
                        ctx -> {
                            int read = ctx.req().getInputStream().readAllBytes().length;
                            Replies.success(ctx, 201, read + " bytes, upload " + runs.incrementAndGet());
                        },
                        doc -> doc.summary("test").pathParam("name", "a name").success(201, "stored"));
    }

    private static HttpResponse<String> post(HttpServer server, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpServer server, String path, String body, String key) throws Exception {
        return post(server, path, body, "Idempotency-Key", key);
    }

    /** The request on another thread, for a test to act while it runs. */
    private static CompletableFuture<HttpResponse<String>> postAsync(
            HttpServer server, String path, String body, String key) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return post(server, path, body, key);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String replayed(HttpResponse<?> reply) {
        return reply.headers().firstValue("Idempotent-Replayed").orElse(null);
    }

    @Test
    void aRepeatGetsTheFirstAnswerAndRunsNothing() throws Exception {
        HttpServer server = server();
        var first = post(server, "/things/a?x=1", "input = 1", "k-1");
        var again = post(server, "/things/a?x=1", "input = 1", "k-1");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(replayed(first)).isNull();
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body()).contains("\"jobId\":\"run-1\"");
        assertThat(again.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(replayed(again)).isEqualTo("true");
        assertThat(runs).hasValue(1);
        // another key, and no key at all, run as before
        assertThat(post(server, "/things/a?x=1", "input = 1", "k-2").body()).contains("run-2");
        var plain = post(server, "/things/a?x=1", "input = 1", new String[0]);
        assertThat(plain.body()).contains("run-3");
        assertThat(replayed(plain)).isNull();
        assertThat(post(server, "/things/a?x=1", "input = 1", new String[0]).body())
                .contains("run-4");
    }

    @Test
    void aKeyReusedForAnotherRequestIs422() throws Exception {
        HttpServer server = server();
        post(server, "/things/a", "input = 1", "k");
        for (String[] other :
                new String[][] {{"/things/a", "input = 2"}, {"/things/b", "input = 1"}, {"/things/a?x=1", "input = 1"}
                }) {
            var reply = post(server, other[0], other[1], "k");
            assertThat(reply.statusCode()).as(other[0]).isEqualTo(422);
            assertThat(Json.read(reply.body()).get("status").asText()).isEqualTo("ERROR");
            assertThat(Json.read(reply.body()).get("result").asText())
                    .startsWith("Idempotency-Key reused with a different request");
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void aMalformedKeyIs400AndRunsNothing() throws Exception {
        HttpServer server = server();
        for (String bad : new String[] {"", "k".repeat(256), "a b"}) {
            var reply = post(server, "/things/a", "", "Idempotency-Key", bad);
            assertThat(reply.statusCode()).as(bad).isEqualTo(400);
            assertThat(Json.read(reply.body()).get("result").asText()).startsWith("Invalid Idempotency-Key: ");
        }
        var two = post(server, "/things/a", "", "Idempotency-Key", "a", "Idempotency-Key", "b");
        assertThat(two.statusCode()).isEqualTo(400);
        assertThat(runs).hasValue(0);
    }

    @Test
    void aRepeatWhileTheFirstRunsIs409ThenGetsItsAnswer() throws Exception {
        HttpServer server = server();
        pending = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> first = postAsync(server, "/things/a", "", "slow");
        awaitRuns(1);
        var during = post(server, "/things/a", "", "slow");
        assertThat(during.statusCode()).isEqualTo(409);
        assertThat(during.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(Json.read(during.body()).get("result").asText())
                .startsWith("A request with this Idempotency-Key is in progress");
        pending.complete(0);
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
        var after = post(server, "/things/a", "", "slow");
        assertThat(after.statusCode()).isEqualTo(202);
        assertThat(replayed(after)).isEqualTo("true");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aKeyInProgressOnAServerThatIsGoneIsTakenOverAndRunsAgain() throws Exception {
        HttpServer dying = server();
        // the other server's view: "me" is gone (say, its lease expired); only "other", itself, is alive
        HttpServer other =
                server(new IdempotencySettings(true, Duration.ofHours(24), 1 << 20), "other", "other"::equals);
        CompletableFuture<Integer> stuck = new CompletableFuture<>();
        pending = stuck;
        CompletableFuture<HttpResponse<String>> first = postAsync(dying, "/things/a", "", "crash");
        awaitRuns(1);
        pending = null;
        var takenOver = post(other, "/things/a", "", "crash");
        assertThat(takenOver.statusCode()).isEqualTo(202);
        assertThat(takenOver.body()).contains("run-2");
        assertThat(replayed(takenOver)).isNull();
        // the first server was not dead after all: its late answer does not replace the one stored
        stuck.complete(0);
        assertThat(first.get(10, TimeUnit.SECONDS).body()).contains("run-1");
        var replay = post(dying, "/things/a", "", "crash");
        assertThat(replay.body()).isEqualTo(takenOver.body());
        assertThat(replayed(replay)).isEqualTo("true");
    }

    @Test
    void tryLaterAnswersReleaseTheKeyOtherErrorsAreKept() throws Exception {
        HttpServer server = server();
        status = 503;
        assertThat(post(server, "/things/a", "", "busy").statusCode()).isEqualTo(503);
        status = 202;
        var retried = post(server, "/things/a", "", "busy");
        assertThat(retried.statusCode()).isEqualTo(202);
        assertThat(replayed(retried)).isNull();

        status = 500;
        var failed = post(server, "/things/a", "", "broken");
        assertThat(failed.statusCode()).isEqualTo(500);
        status = 202;
        var again = post(server, "/things/a", "", "broken");
        assertThat(again.statusCode()).isEqualTo(500);
        assertThat(again.body()).isEqualTo(failed.body());
        assertThat(replayed(again)).isEqualTo("true");
        assertThat(runs).hasValue(3);
    }

    @Test
    void anAnswerOverTheLimitReplaysItsStatusAndWhatItMade() throws Exception {
        HttpServer server = server(new IdempotencySettings(true, Duration.ofHours(24), 1000), "me", "me"::equals);
        replySize = 2000;
        var first = post(server, "/things/a", "", "big");
        assertThat(first.body()).hasSizeGreaterThan(2000);
        var again = post(server, "/things/a", "", "big");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(replayed(again)).isEqualTo("true");
        var body = Json.read(again.body());
        assertThat(body.get("jobId").asText()).isEqualTo("run-1");
        assertThat(body.get("status").asText()).isEqualTo("ANSWER NOT KEPT");
        assertThat(body.get("result").asText()).contains("larger than max-stored-body");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aStreamedAnswerReplaysItsStatusAndWhatItMade() throws Exception {
        HttpServer server = server();
        var first = post(server, "/streams/a", "", "streamed");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"result\":[1,2,3]}");
        var again = post(server, "/streams/a", "", "streamed");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(replayed(again)).isEqualTo("true");
        var body = Json.read(again.body());
        assertThat(body.get("jobId").asText()).isEqualTo("run-1");
        assertThat(body.get("status").asText()).isEqualTo("ANSWER NOT KEPT");
        assertThat(body.get("result").asText())
                .isEqualTo("The first answer to this Idempotency-Key was streamed and is not kept; it was for jobId"
                        + " run-1");
        assertThat(runs).hasValue(1);
    }

    @Test
    void aKeyOlderThanTheWindowIsANewKey() throws Exception {
        HttpServer server = server(new IdempotencySettings(true, Duration.ofMinutes(5), 1 << 20), "me", "me"::equals);
        post(server, "/things/a", "", "old");
        clock.advance(Duration.ofMinutes(4));
        assertThat(post(server, "/things/a", "", "old").body()).contains("run-1");
        clock.advance(Duration.ofMinutes(2));
        var late = post(server, "/things/a", "", "old");
        assertThat(late.body()).contains("run-2");
        assertThat(replayed(late)).isNull();
        // and pruning deletes what the window no longer covers
        clock.advance(Duration.ofMinutes(6));
        new Idempotency(
                        new IdempotencySettings(true, Duration.ofMinutes(5), 1 << 20),
                        new JdbcIdempotencyStore(database),
                        clock,
                        "me",
                        "me"::equals)
                .prune();
        assertThat(TestDatabases.count(database, "idempotency_keys")).isZero();
    }

    @Test
    void offTheHeaderIsIgnored() throws Exception {
        HttpServer server = server(new IdempotencySettings(false, Duration.ofHours(24), 1 << 20), "me", "me"::equals);
        post(server, "/things/a", "", "k");
        assertThat(post(server, "/things/a", "", "k").body()).contains("run-2");
        assertThat(post(server, "/things/a", "", "Idempotency-Key", "not valid").statusCode())
                .isEqualTo(202);
    }

    @Test
    void aStreamedUploadIsFingerprintedByTypeAndLength() throws Exception {
        HttpServer server = server();
        var first = post(
                server, "/uploads/a", "12345", "Idempotency-Key", "up", "Content-Type", "application/java-archive");
        var again = post(
                server, "/uploads/a", "12345", "Idempotency-Key", "up", "Content-Type", "application/java-archive");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body()).contains("5 bytes, upload 1");
        assertThat(replayed(again)).isEqualTo("true");
        var longer = post(
                server, "/uploads/a", "123456", "Idempotency-Key", "up", "Content-Type", "application/java-archive");
        assertThat(longer.statusCode()).isEqualTo(422);
    }

    private void awaitRuns(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runs.get() < n) {
            assertThat(System.nanoTime()).as("runs reached %d", n).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
