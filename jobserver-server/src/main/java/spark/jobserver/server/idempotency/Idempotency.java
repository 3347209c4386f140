package spark.jobserver.server.idempotency;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.auth.AccessGate;
import spark.jobserver.server.http.ApiDoc;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Json;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.idempotency.IdempotencyStore.Answer;
import spark.jobserver.server.idempotency.IdempotencyStore.Entry;
import spark.jobserver.server.idempotency.IdempotencyStore.State;

/**
 * Safe retries: a request to a route registered with {@link ApiRoutes#idempotentPost} ({@code POST /jobs}, {@code
 * POST /contexts/<name>}, {@code POST /binaries/<app>}) that carries an {@code Idempotency-Key} runs once; a repeat
 * within the window gets the first answer again, marked {@code Idempotent-Replayed: true}. Modelled on
 * draft-ietf-httpapi-idempotency-key-header and on Stripe's behaviour; docs/retries.md is the user's side.
 *
 * <p>One mechanism for all three routes, in the HTTP layer, not in their handlers: a {@code beforeMatched}
 * handler (after the access gate, so the user is known) claims the key and an {@code afterMatched} handler (after a
 * reply's future completed and the error mapper wrote any error) stores the answer. A request without the header
 * never reaches the store: it behaves exactly as without this class.
 *
 * <p>Why in the database: servers sharing one database (HA) must agree on who runs a key. The key's row is
 * inserted IN_PROGRESS with the scoped key's hash as primary key, so of two servers racing on one key exactly one
 * inserts it; the other answers 409 with {@code Retry-After: 1} while the first runs, and the stored answer after.
 * The same key with another request (method, path, query, content type, body) is a client bug: 422.
 *
 * <p>Why a takeover: a server killed mid-request leaves its row IN_PROGRESS. The row names the server instance
 * that owns it; when {@code instanceAlive} says that instance is gone, a repeat takes the row over (a
 * compare-and-set on the owner, so one repeat wins) and <em>runs the request again</em>: whatever the dead server
 * had started (a job, a driver) may exist twice. Nothing better is possible without knowing how far it got.
 *
 * <p>Which answers are kept: see {@link IdempotencyKeys#releasesKey}; a 503 or 429 releases the key. A body larger
 * than {@code max-stored-body}, or one written as a stream (a sync job's stream result), is not kept: its replay is
 * the same status with a short JSON, {@code {"jobId":…,"status":"ANSWER NOT KEPT","result":"…"}}, naming the job
 * the first request made ({@link Replies#made}), whose result {@code GET /jobs/<id>} answers.
 */
public final class Idempotency {
    private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);
    private static final String CLAIM = "jobserver.idempotency-claim";
    /** How often a claim is tried again when the row changed under it (deleted as expired, released). */
    private static final int ATTEMPTS = 3;

    private final IdempotencySettings settings;
    private final IdempotencyStore store;
    private final Clock clock;
    private final String instanceId;
    private final Predicate<String> instanceAlive;

    /**
     * @param instanceId this server process's id, recorded as the owner of the keys it runs
     * @param instanceAlive whether the server instance of that id still runs: a key IN_PROGRESS on an instance
     *     that does not is taken over
     */
    public Idempotency(
            IdempotencySettings settings,
            IdempotencyStore store,
            Clock clock,
            String instanceId,
            Predicate<String> instanceAlive) {
        this.settings = requireNonNull(settings, "settings is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.instanceId = requireNonNull(instanceId, "instanceId is null");
        this.instanceAlive = requireNonNull(instanceAlive, "instanceAlive is null");
    }

    public void register(RoutesConfig routes) {
        // A replay ends the request as an error does: Javalin skips the handler and still runs the after-handlers.
        routes.exception(Replayed.class, (replayed, ctx) -> replayed.writeTo(ctx));
        routes.beforeMatched(this::before);
        routes.afterMatched(this::after);
    }

    /** Deletes the keys older than the window; run periodically with the history pruning. */
    public void prune() {
        try {
            int pruned = store.deleteCreatedBefore(clock.instant().minus(settings.window()));
            if (pruned > 0) {
                LOG.info("Pruned {} idempotency key(s) older than {}", pruned, settings.window());
            }
        } catch (RuntimeException e) {
            // the next run tries again; a scheduled task that throws would never run again
            LOG.warn("Pruning idempotency keys failed: {}", e.getMessage(), e);
        }
    }

    private void before(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        ApiRoutes.Idempotent idempotent = endpoint == null ? null : endpoint.metadata(ApiRoutes.Idempotent.class);
        if (!settings.enabled() || idempotent == null) {
            return;
        }
        var headers = Collections.list(ctx.req().getHeaders(ApiDoc.IDEMPOTENCY_KEY));
        if (headers.isEmpty()) {
            return;
        }
        String key = IdempotencyKeys.validate(headers);
        String keyHash = IdempotencyKeys.scope(AccessGate.user(ctx).name(), endpoint.method.name(), endpoint.path, key);
        String body = idempotent.body() == ApiRoutes.Body.READ
                ? IdempotencyKeys.bodyHash(ctx.bodyAsBytes())
                : IdempotencyKeys.streamedBody(ctx.req().getContentLengthLong());
        String fingerprint = IdempotencyKeys.fingerprint(
                ctx.method().name(), ctx.path(), ctx.queryString(), ctx.header("Content-Type"), body);
        Decision decision = claim(keyHash, fingerprint);
        if (decision instanceof Decision.Run) {
            ctx.attribute(CLAIM, keyHash);
        } else if (decision instanceof Decision.Replay replay) {
            throw new Replayed(replay.answer());
        } else if (decision instanceof Decision.Mismatch) {
            throw ApiException.error(
                    422, "Idempotency-Key reused with a different request: a key is for one request only");
        } else {
            ctx.header("Retry-After", "1");
            throw ApiException.error(
                    409, "A request with this Idempotency-Key is in progress; retry after Retry-After seconds");
        }
    }

    /** What to do with a request whose scoped key hashes to {@code keyHash}. */
    Decision claim(String keyHash, String fingerprint) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            // Looked up first: a repeat is then one SELECT, and only servers racing on a new key meet the primary
            // key's refusal (which the MariaDB driver logs as a warning).
            Optional<Entry> found = store.find(keyHash);
            if (found.isEmpty()) {
                if (store.insert(keyHash, fingerprint, instanceId, now)) {
                    return new Decision.Run(false);
                }
                continue; // another server inserted it just now
            }
            Entry entry = found.get();
            Instant cutoff = now.minus(settings.window());
            if (entry.createdAt().isBefore(cutoff)) {
                store.deleteIfCreatedBefore(keyHash, cutoff); // an old key is a new one
                continue;
            }
            if (!entry.fingerprint().equals(fingerprint)) {
                return new Decision.Mismatch();
            }
            if (entry.state() == State.DONE) {
                return new Decision.Replay(entry.answer());
            }
            if (instanceAlive.test(entry.owner())) {
                return new Decision.InProgress();
            }
            if (store.takeOver(keyHash, entry.owner(), instanceId)) {
                LOG.warn(
                        "An Idempotency-Key request was in progress on server instance {}, which is gone: running it"
                                + " again on {} (what the first attempt started may exist twice)",
                        entry.owner(),
                        instanceId);
                return new Decision.Run(true);
            }
        }
        return new Decision.InProgress();
    }

    private void after(Context ctx) {
        String keyHash = ctx.attribute(CLAIM);
        if (keyHash == null) {
            return;
        }
        ctx.attribute(CLAIM, null);
        int status = ctx.statusCode();
        try {
            if (IdempotencyKeys.releasesKey(status)) {
                store.release(keyHash, instanceId);
            } else if (!store.complete(keyHash, instanceId, answer(ctx, status))) {
                LOG.warn(
                        "{} {}: its Idempotency-Key was taken over or pruned while it ran; its answer is not stored",
                        ctx.method(),
                        ctx.path());
            }
        } catch (RuntimeException e) {
            LOG.warn("{} {}: storing its Idempotency-Key answer failed: {}", ctx.method(), ctx.path(), e.getMessage());
            releaseQuietly(keyHash);
        }
    }

    private void releaseQuietly(String keyHash) {
        try {
            store.release(keyHash, instanceId);
        } catch (RuntimeException e) {
            LOG.warn("Releasing an Idempotency-Key failed: {}", e.getMessage());
        }
    }

    /** The answer as the client gets it, or its stand-in when its body is too large or was streamed. */
    private Answer answer(Context ctx, int status) {
        String contentType = Optional.ofNullable(ctx.res().getContentType()).orElse("");
        InputStream result = ctx.resultInputStream();
        // only an answer held in memory is read: a stream (relayed from another server, say) is read once only
        if (!(result instanceof java.io.ByteArrayInputStream)) {
            return notKept(ctx, status, "was streamed");
        }
        String body = Optional.ofNullable(ctx.result()).orElse("");
        long size = body.getBytes(StandardCharsets.UTF_8).length;
        if (size > settings.maxStoredBody()) {
            return notKept(ctx, status, "(" + size + " bytes) is larger than max-stored-body");
        }
        return new Answer(status, contentType, body);
    }

    private static Answer notKept(Context ctx, int status, String why) {
        Map<String, Object> body = new LinkedHashMap<>();
        Optional<Map.Entry<String, String>> made = Replies.made(ctx);
        made.ifPresent(m -> body.put(m.getKey(), m.getValue()));
        body.put("status", "ANSWER NOT KEPT");
        body.put(
                "result",
                "The first answer to this Idempotency-Key " + why + " and is not kept"
                        + made.map(m -> "; it was for " + m.getKey() + " " + m.getValue())
                                .orElse(""));
        return new Answer(status, "application/json", Json.write(body));
    }

    /** What a claim decided. */
    sealed interface Decision {
        /** This request runs; {@code takenOver} when it runs again after a server that ran it died. */
        record Run(boolean takenOver) implements Decision {}

        record Replay(Answer answer) implements Decision {}

        /** The key is running on a live server: 409. */
        record InProgress() implements Decision {}

        /** The key was used for another request: 422. */
        record Mismatch() implements Decision {}
    }

    /** Ends a request with a stored answer. */
    static final class Replayed extends RuntimeException {
        private final transient Answer answer;

        Replayed(Answer answer) {
            super("replayed", null, false, false);
            this.answer = requireNonNull(answer, "answer is null");
        }

        void writeTo(Context ctx) {
            ctx.status(answer.status()).header(ApiDoc.IDEMPOTENT_REPLAYED, "true");
            if (!answer.contentType().isEmpty()) {
                ctx.contentType(answer.contentType());
            }
            ctx.result(answer.body());
        }
    }
}
