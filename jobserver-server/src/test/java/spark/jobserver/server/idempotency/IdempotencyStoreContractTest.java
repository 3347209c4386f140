package spark.jobserver.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.server.idempotency.IdempotencyStore.Answer;
import spark.jobserver.server.idempotency.IdempotencyStore.State;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestDatabases.Backend;

/** What every database must do for {@link IdempotencyStore}: run against H2, PostgreSQL and MariaDB. */
@ParameterizedClass
@EnumSource(Backend.class)
class IdempotencyStoreContractTest {
    private static final String KEY = "a".repeat(64);
    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    @Parameter
    Backend backend;

    private JdbcIdempotencyStore store;

    @BeforeEach
    void setUp() {
        store = new JdbcIdempotencyStore(TestDatabases.clean(backend));
    }

    @Test
    void ofServersRacingOnOneKeyExactlyOneInsertsIt() throws Exception {
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> wins = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                String owner = "server-" + i;
                wins.add(pool.submit(() -> {
                    go.await();
                    return store.insert(KEY, "fp", owner, T0);
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> win : wins) {
                won += win.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        var entry = store.find(KEY).orElseThrow();
        assertThat(entry.state()).isEqualTo(State.IN_PROGRESS);
        assertThat(entry.owner()).startsWith("server-");
        assertThat(entry.createdAt()).isEqualTo(T0);
        assertThat(entry.answer()).isNull();
    }

    @Test
    void onlyTheOwnerStoresTheAnswerAndItIsKeptWhole() {
        assertThat(store.insert(KEY, "fp", "s1", T0)).isTrue();
        String body = "{\"result\":\"" + "Wörd ✓ ".repeat(20_000) + "\"}"; // more than any VARCHAR
        Answer answer = new Answer(202, "application/json", body);
        assertThat(store.complete(KEY, "s2", answer)).isFalse();
        assertThat(store.complete(KEY, "s1", answer)).isTrue();
        var entry = store.find(KEY).orElseThrow();
        assertThat(entry.state()).isEqualTo(State.DONE);
        assertThat(entry.fingerprint()).isEqualTo("fp");
        assertThat(entry.answer()).isEqualTo(answer);
        // done is done: neither stored again nor released
        assertThat(store.complete(KEY, "s1", new Answer(500, "", ""))).isFalse();
        assertThat(store.release(KEY, "s1")).isFalse();
        assertThat(store.find(KEY).orElseThrow().answer()).isEqualTo(answer);
    }

    @Test
    void aKeyOfAGoneOwnerIsTakenOverOnce() {
        store.insert(KEY, "fp", "dead", T0);
        assertThat(store.takeOver(KEY, "dead", "s1")).isTrue();
        assertThat(store.takeOver(KEY, "dead", "s2")).isFalse();
        assertThat(store.find(KEY).orElseThrow().owner()).isEqualTo("s1");
        // the old owner cannot store its answer any more
        assertThat(store.complete(KEY, "dead", new Answer(200, "", ""))).isFalse();
        assertThat(store.complete(KEY, "s1", new Answer(200, "text/plain", "ok")))
                .isTrue();
        assertThat(store.takeOver(KEY, "s1", "s2"))
                .as("a DONE key is not taken over")
                .isFalse();
    }

    @Test
    void aReleasedKeyIsGoneAndMayBeInsertedAgain() {
        store.insert(KEY, "fp", "s1", T0);
        assertThat(store.release(KEY, "s2")).isFalse();
        assertThat(store.release(KEY, "s1")).isTrue();
        assertThat(store.find(KEY)).isEmpty();
        assertThat(store.insert(KEY, "fp2", "s2", T0)).isTrue();
    }

    @Test
    void keysOlderThanACutoffAreDeleted() {
        String newer = "b".repeat(64);
        store.insert(KEY, "fp", "s1", T0);
        store.insert(newer, "fp", "s1", T0.plusSeconds(60));
        assertThat(store.deleteIfCreatedBefore(newer, T0.plusSeconds(1))).isFalse();
        assertThat(store.deleteIfCreatedBefore(KEY, T0)).isFalse();
        assertThat(store.deleteIfCreatedBefore(KEY, T0.plusMillis(1))).isTrue();
        store.insert(KEY, "fp", "s1", T0);
        assertThat(store.deleteCreatedBefore(T0.plusSeconds(60))).isEqualTo(1);
        assertThat(store.find(KEY)).isEmpty();
        assertThat(store.find(newer)).isPresent();
    }
}
