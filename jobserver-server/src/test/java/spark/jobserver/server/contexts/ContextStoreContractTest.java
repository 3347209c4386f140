package spark.jobserver.server.contexts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.store.TestStores;
import spark.jobserver.server.store.TestStores.Metadata;

/** What every store must do for {@link ContextStore}: run against H2, PostgreSQL, MariaDB and ZooKeeper. */
@ParameterizedClass
@EnumSource(Metadata.class)
class ContextStoreContractTest {
    private static final TestStores STORES = new TestStores();

    @Parameter
    Metadata backend;

    private ContextStore store;

    @BeforeEach
    void setUp() {
        store = STORES.open(backend, false).stores().contexts();
    }

    @AfterAll
    static void stopServers() throws Exception {
        STORES.close();
    }

    @Test
    void aContextComesBackAsStoredAndUpdated() {
        ContextInfo started = context("c1", "ctx ✓", ContextState.STARTED, 1000);
        store.insert(started, "secret-1");
        assertThat(store.get("c1")).contains(started);
        assertThat(store.secret("c1")).contains("secret-1");

        ContextInfo running = started.withProcess(4242L, "/tmp/ctx/driver.log")
                .withApplication("local-123", "http://127.0.0.1:4040")
                .withState(ContextState.RUNNING, null, null);
        store.update(running);
        assertThat(store.get("c1")).contains(running);

        ContextInfo failed = running.withState(
                ContextState.ERROR,
                Instant.ofEpochMilli(9000),
                new ErrorInfo("driver died ✗", "java.lang.IllegalStateException", "log tail\n".repeat(500)));
        store.update(failed);
        assertThat(store.get("c1")).contains(failed);
        assertThat(store.get("missing")).isEmpty();
        assertThat(store.secret("missing")).isEmpty();
    }

    @Test
    void theNewestContextOfANameWins() {
        store.insert(context("c1", "ctx", ContextState.FINISHED, 1000), "s");
        store.insert(context("c2", "ctx", ContextState.RUNNING, 2000), "s");
        store.insert(context("c3", "Ctx", ContextState.RUNNING, 3000), "s");
        assertThat(store.latestByName("ctx")).get().extracting(ContextInfo::id).isEqualTo("c2");
        assertThat(store.latestByName("Ctx")).get().extracting(ContextInfo::id).isEqualTo("c3");
        assertThat(store.latestByName("CTX")).isEmpty();
    }

    @Test
    void unfinishedContextsOldestFirst() {
        store.insert(context("a", "a", ContextState.RUNNING, 3000), "s");
        store.insert(context("b", "b", ContextState.STARTED, 1000), "s");
        store.insert(context("c", "c", ContextState.STOPPING, 2000), "s");
        store.insert(context("d", "d", ContextState.FINISHED, 500), "s");
        store.insert(context("e", "e", ContextState.ERROR, 600), "s");
        store.insert(context("f", "f", ContextState.KILLED, 700), "s");
        assertThat(store.unfinished()).extracting(ContextInfo::id).containsExactly("b", "c", "a");
    }

    @Test
    void pruningRemovesOnlyContextsThatEndedLongAgo() {
        store.insert(context("live", "live", ContextState.RUNNING, 1000), "s");
        ContextInfo old = context("old", "old", ContextState.STARTED, 1000);
        store.insert(old, "s");
        store.update(old.withState(ContextState.FINISHED, Instant.ofEpochMilli(2000), null));
        ContextInfo recent = context("recent", "recent", ContextState.STARTED, 1000);
        store.insert(recent, "s");
        store.update(recent.withState(ContextState.ERROR, Instant.ofEpochMilli(8000), new ErrorInfo("e", "E", "")));

        assertThat(store.deleteEndedBefore(Instant.ofEpochMilli(5000))).isEqualTo(1);
        assertThat(store.get("old")).isEmpty();
        assertThat(store.get("live")).isPresent();
        assertThat(store.get("recent")).isPresent();
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 20; i++) {
                        ContextInfo c =
                                context("w" + writer + "-" + i, "name-" + writer, ContextState.STARTED, 1000 + i);
                        store.insert(c, "secret-" + writer);
                        store.update(c.withState(ContextState.RUNNING, null, null));
                        if (i % 2 == 0) {
                            store.update(c.withState(ContextState.FINISHED, Instant.ofEpochMilli(5000), null));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.unfinished())
                .hasSize(writers * 10)
                .allSatisfy(c -> assertThat(c.state()).isEqualTo(ContextState.RUNNING));
        assertThat(store.latestByName("name-5"))
                .get()
                .extracting(ContextInfo::id)
                .isEqualTo("w5-19");
        assertThat(store.secret("w5-19")).contains("secret-5");
    }

    private static ContextInfo context(String id, String name, ContextState state, long start) {
        return new ContextInfo(
                id,
                name,
                "{\"num-cpu-cores\":2,\"context.name\":\"" + name + "\"}",
                state,
                Instant.ofEpochMilli(start),
                null,
                null,
                null,
                null,
                null,
                null);
    }
}
