package spark.jobserver.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.progress.JobProgressStore;
import spark.jobserver.server.store.Stores;
import spark.jobserver.server.store.TestStores;
import spark.jobserver.server.store.TestStores.Metadata;

/**
 * What every store must do for {@link JobStore}, {@link JobProgressStore} and {@link StreamResultStore}: run against
 * H2, PostgreSQL, MariaDB and ZooKeeper.
 */
@ParameterizedClass
@EnumSource(Metadata.class)
class JobStoreContractTest {
    private static final TestStores STORES = new TestStores();

    @Parameter
    Metadata backend;

    private JobStore store;
    private JobProgressStore progress;
    private StreamResultStore streams;

    @BeforeEach
    void setUp() {
        Stores stores = STORES.open(backend, false).stores();
        store = stores.jobs();
        progress = stores.progress();
        streams = stores.streamResults();
    }

    @AfterAll
    static void stopServers() throws Exception {
        STORES.close();
    }

    @Test
    void aStreamResultIsKeptWithItsJobAndPrunedWithIt() {
        store.insert(job("s1", "ctx", JobStatus.RUNNING, 1000, null, null, null));
        assertThat(streams.size("s1")).isEmpty();
        streams.insert("s1", 123_456_789_012L, Instant.ofEpochMilli(1500));
        assertThat(streams.size("s1")).contains(123_456_789_012L);
        assertThatThrownBy(() -> streams.insert("missing", 1, Instant.ofEpochMilli(1500)))
                .isInstanceOf(spark.jobserver.server.store.StoreException.class);

        streams.delete("s1");
        assertThat(streams.size("s1")).isEmpty();
        streams.delete("s1");
        streams.insert("s1", 10, Instant.ofEpochMilli(1600));
        store.finish(store.get("s1").orElseThrow().ended(JobStatus.FINISHED, Instant.ofEpochMilli(2000), null, null));
        assertThat(store.deleteEndedBefore(Instant.ofEpochMilli(3000))).isEqualTo(1);
        assertThat(streams.size("s1")).isEmpty();
    }

    @Test
    void aJobsProgressIsKeptWithItAndReplacedByALaterOne() {
        store.insert(job("j1", "ctx", JobStatus.FINISHED, 1000, 2000L, "1", null));
        assertThat(progress.get("j1")).isEmpty();
        List<ProgressReport.Stage> stages = new ArrayList<>();
        for (int i = 0; i < 500; i++) { // a long report: more than any VARCHAR
            stages.add(new ProgressReport.Stage(
                    i,
                    0,
                    "reduceByKey at Wörd.scala:" + i + " ✓",
                    "COMPLETE",
                    4,
                    0,
                    4,
                    0,
                    1L << 40,
                    0,
                    10,
                    20,
                    1000L,
                    2000L,
                    null));
        }
        ProgressReport report = new ProgressReport(
                List.of(new ProgressReport.SparkJob(0, "SUCCEEDED", List.of(0, 1), 2000, 0, 2000, 0, 0, 1000L, 2000L)),
                stages,
                3);
        progress.save("j1", report);
        assertThat(progress.get("j1")).contains(report);

        ProgressReport later = new ProgressReport(
                List.of(new ProgressReport.SparkJob(0, "FAILED", List.of(0), 4, 1, 2, 0, 1, 1000L, null)),
                List.of(new ProgressReport.Stage(
                        0, 1, "map", "FAILED", 4, 1, 2, 1, 0, 0, 0, 0, null, null, "Task 3 failed: ✗")),
                0);
        progress.save("j1", later);
        assertThat(progress.get("j1")).contains(later);
        assertThat(progress.get("j2")).isEmpty();

        progress.save("pruned-meanwhile", report); // its job is gone: nothing to keep it with
        assertThat(progress.get("pruned-meanwhile")).isEmpty();
    }

    @Test
    void aJobsProgressIsPrunedWithIt() {
        store.insert(job("old", "ctx", JobStatus.FINISHED, 1000, 2000L, "1", null));
        store.insert(job("older", "ctx", JobStatus.FINISHED, 900, 1500L, "1", null));
        store.insert(job("new", "ctx", JobStatus.FINISHED, 5000, 9000L, "1", null));
        for (String id : List.of("old", "older", "new")) {
            progress.save(id, ProgressReport.EMPTY);
        }
        assertThat(store.deleteEndedBefore(Instant.ofEpochMilli(1800))).isEqualTo(1);
        assertThat(progress.get("older")).isEmpty();
        assertThat(store.deleteEndedBeyond(1)).isEqualTo(1);
        assertThat(progress.get("old")).isEmpty();
        assertThat(progress.get("new")).contains(ProgressReport.EMPTY);
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
