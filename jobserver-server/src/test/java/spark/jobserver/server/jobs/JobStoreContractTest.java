package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestDatabases.Backend;

/** What every database must do for {@link JobStore}: run against H2, PostgreSQL and MariaDB. */
@ParameterizedClass
@EnumSource(Backend.class)
class JobStoreContractTest {
    @Parameter
    Backend backend;

    private JdbcJobStore store;

    @BeforeEach
    void setUp() {
        store = new JdbcJobStore(TestDatabases.clean(backend));
    }

    @Test
    void aJobComesBackAsStoredWithItsConfigAndResult() {
        String config = "{\"input\":{\"string\":\"a b ünïcødé ✓ \\\"quoted\\\"\"},\"n\":" + "1".repeat(50) + "}";
        JobInfo running = new JobInfo(
                "j1",
                "ctx-1",
                "name ✓",
                "app",
                "spark.jobserver.WordCountExample",
                List.of("dep", "app"),
                config,
                JobStatus.RUNNING,
                Instant.ofEpochMilli(1000),
                null,
                null,
                null,
                "http://127.0.0.1:1/callback");
        store.insert(running);
        assertThat(store.get("j1")).contains(running);

        String result = "{\"words\":[" + "\"ü\",".repeat(200_000) + "\"end\"]}";
        JobInfo finished = running.ended(JobStatus.FINISHED, Instant.ofEpochMilli(5000), result, null);
        assertThat(store.finish(finished)).isTrue();
        JobInfo read = store.get("j1").orElseThrow();
        assertThat(read).isEqualTo(finished);
        assertThat(read.result()).hasSize(result.length());
        assertThat(store.get("missing")).isEmpty();
    }

    @Test
    void anErrorIsStoredWithTheJob() {
        store.insert(job("j1", "ctx-1", JobStatus.RUNNING, 1000, null, null, null));
        ErrorInfo error =
                new ErrorInfo("boom ✗", "java.lang.IllegalStateException", "at a.b.C(C.java:1)\n".repeat(100));
        store.finish(store.get("j1").orElseThrow().ended(JobStatus.ERROR, Instant.ofEpochMilli(2000), null, error));

        JobInfo read = store.get("j1").orElseThrow();
        assertThat(read.status()).isEqualTo(JobStatus.ERROR);
        assertThat(read.error()).isEqualTo(error);
        assertThat(read.result()).isNull();
    }

    @Test
    void anEndedJobStaysEnded() {
        JobInfo running = job("j1", "ctx-1", JobStatus.RUNNING, 1000, null, null, null);
        store.insert(running);
        assertThat(store.finish(running.ended(
                        JobStatus.KILLED, Instant.ofEpochMilli(2000), null, new ErrorInfo("killed", "K", ""))))
                .isTrue();
        assertThat(store.finish(running.ended(JobStatus.FINISHED, Instant.ofEpochMilli(3000), "1", null)))
                .isFalse();
        assertThat(store.get("j1").orElseThrow().status()).isEqualTo(JobStatus.KILLED);
    }

    @Test
    void listingIsNewestFirstLimitedFilteredAndLight() {
        for (int i = 0; i < 10; i++) {
            JobStatus status = i % 3 == 0 ? JobStatus.RUNNING : JobStatus.FINISHED;
            store.insert(job(
                    "j" + i,
                    "ctx",
                    status,
                    1000 + i,
                    status == JobStatus.FINISHED ? 5000L : null,
                    status == JobStatus.FINISHED ? "{\"big\":\"" + "x".repeat(10_000) + "\"}" : null,
                    null));
        }
        assertThat(store.list(4, null)).extracting(JobInfo::jobId).containsExactly("j9", "j8", "j7", "j6");
        assertThat(store.list(100, JobStatus.RUNNING))
                .extracting(JobInfo::jobId)
                .containsExactly("j9", "j6", "j3", "j0");
        assertThat(store.list(2, JobStatus.FINISHED)).extracting(JobInfo::jobId).containsExactly("j8", "j7");
        assertThat(store.list(100, JobStatus.KILLED)).isEmpty();
        assertThat(store.list(0, null)).isEmpty();
        assertThat(store.list(100, null)).hasSize(10).allSatisfy(j -> {
            assertThat(j.result()).isNull();
            assertThat(j.config()).isEmpty();
        });
    }

    @Test
    void sameStartTimesListInAStableOrder() {
        for (String id : new String[] {"c", "a", "b"}) {
            store.insert(job(id, "ctx", JobStatus.RUNNING, 1000, null, null, null));
        }
        assertThat(store.list(10, null)).extracting(JobInfo::jobId).containsExactly("c", "b", "a");
    }

    @Test
    void unfinishedJobsOfAContextAndOfABinary() {
        store.insert(job("r1", "ctx-1", JobStatus.RUNNING, 1000, null, null, null));
        store.insert(job("r2", "ctx-2", JobStatus.RUNNING, 1001, null, null, null));
        store.insert(job("f1", "ctx-1", JobStatus.FINISHED, 1002, 2000L, "1", null));
        assertThat(store.unfinishedInContext("ctx-1"))
                .extracting(JobInfo::jobId)
                .containsExactly("r1");
        assertThat(store.unfinishedUsingBinary("app")).containsExactly("r1", "r2");
        assertThat(store.unfinishedUsingBinary("dep")).containsExactly("r1", "r2");
        assertThat(store.unfinishedUsingBinary("other")).isEmpty();
    }

    @Test
    void pruningByAgeNeverTouchesUnfinishedJobs() {
        store.insert(job("old-running", "ctx", JobStatus.RUNNING, 1000, null, null, null));
        store.insert(job("old-finished", "ctx", JobStatus.FINISHED, 1000, 2000L, "1", null));
        store.insert(job("old-error", "ctx", JobStatus.ERROR, 1000, 2500L, null, new ErrorInfo("e", "E", "")));
        store.insert(job("new-finished", "ctx", JobStatus.FINISHED, 1000, 9000L, "1", null));

        assertThat(store.deleteEndedBefore(Instant.ofEpochMilli(5000))).isEqualTo(2);
        assertThat(store.list(100, null))
                .extracting(JobInfo::jobId)
                .containsExactlyInAnyOrder("old-running", "new-finished");
    }

    @Test
    void pruningByCountKeepsTheNewestEndedJobsAndEveryUnfinishedOne() {
        for (int i = 0; i < 8; i++) {
            store.insert(job("e" + i, "ctx", JobStatus.FINISHED, 1000 + i, 5000L, "1", null));
        }
        store.insert(job("e3-tie", "ctx", JobStatus.FINISHED, 1003, 5000L, "1", null));
        store.insert(job("running", "ctx", JobStatus.RUNNING, 1, null, null, null));

        // listing order of ended jobs: e7 e6 e5 e4 e3-tie e3 e2 e1 e0
        assertThat(store.deleteEndedBeyond(5)).isEqualTo(4);
        assertThat(store.list(100, null))
                .extracting(JobInfo::jobId)
                .containsExactly("e7", "e6", "e5", "e4", "e3-tie", "running");
        assertThat(store.deleteEndedBeyond(5)).isZero();
        assertThat(store.deleteEndedBeyond(0)).isEqualTo(5);
        assertThat(store.list(100, null)).extracting(JobInfo::jobId).containsExactly("running");
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        int writers = 8;
        int perWriter = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger listed = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perWriter; i++) {
                        JobInfo j = job(
                                "w" + writer + "-" + i, "ctx-" + writer, JobStatus.RUNNING, 1000 + i, null, null, null);
                        store.insert(j);
                        store.finish(
                                j.ended(JobStatus.FINISHED, Instant.ofEpochMilli(5000 + i), "{\"i\":" + i + "}", null));
                    }
                    return null;
                }));
            }
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 50; i++) {
                    listed.addAndGet(store.list(50, JobStatus.FINISHED).size());
                }
                return null;
            }));
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list(10_000, JobStatus.FINISHED)).hasSize(writers * perWriter);
        assertThat(store.list(10_000, JobStatus.RUNNING)).isEmpty();
        assertThat(store.get("w3-17").orElseThrow().result()).isEqualTo("{\"i\":17}");
    }

    @Test
    void concurrentEndsOfOneJobHaveOneWinner() throws Exception {
        JobInfo running = job("contested", "ctx", JobStatus.RUNNING, 1000, null, null, null);
        store.insert(running);
        int racers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> wins = new ArrayList<>();
        try {
            for (int i = 0; i < racers; i++) {
                JobStatus status = i % 2 == 0 ? JobStatus.FINISHED : JobStatus.KILLED;
                wins.add(pool.submit(() -> {
                    go.await();
                    return store.finish(running.ended(
                            status, Instant.ofEpochMilli(2000), status == JobStatus.FINISHED ? "1" : null, null));
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> w : wins) {
                winners += w.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private static JobInfo job(
            String id, String contextId, JobStatus status, long start, Long end, String result, ErrorInfo error) {
        return new JobInfo(
                id,
                contextId,
                "name-" + contextId,
                "app",
                "spark.jobserver.WordCountExample",
                List.of("dep", "app"),
                "{}",
                status,
                Instant.ofEpochMilli(start),
                end == null ? null : Instant.ofEpochMilli(end),
                result,
                error,
                null);
    }
}
