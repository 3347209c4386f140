package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;
import spark.jobserver.protocol.Message;
import spark.jobserver.protocol.ProgressReport;

/**
 * The progress listener's bookkeeping, fed by a real local Spark context's listener bus: what a job's
 * report says while its Spark work runs and after, and what is sent when.
 */
class ProgressListenerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Tasks of {@link #blockedShuffle} wait on it (local mode: the tasks run in this JVM). */
    private static volatile CountDownLatch gate = new CountDownLatch(0);

    private static SparkContext sc;
    private static JavaSparkContext jsc;
    private static ProgressReporter reporter;

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf(false)
                .setMaster("local[2]")
                .setAppName("ProgressListenerTest")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        sc = new SparkContext(conf);
        jsc = new JavaSparkContext(sc);
        reporter = ProgressReporter.attach(sc, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    /** 4 map tasks, a shuffle into 3 partitions; {@code gate} holds the map tasks. */
    private static JavaPairRDD<Integer, Integer> blockedShuffle() {
        return jsc.parallelize(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 4)
                .mapToPair(x -> {
                    gate.await();
                    return new Tuple2<>(x % 3, x);
                })
                .reduceByKey(Integer::sum, 3);
    }

    @Test
    void aShuffleJobIsSeenMidwayAndComplete() throws Exception {
        String jobId = "job-shuffle";
        reporter.jobBegins(jobId);
        gate = new CountDownLatch(1);
        CompletableFuture<List<Tuple2<Integer, Integer>>> result = CompletableFuture.supplyAsync(() -> {
            sc.setJobGroup(jobId, "test", true);
            try {
                return blockedShuffle().collect();
            } finally {
                sc.clearJobGroup();
            }
        });
        // mid-way: the map stage runs (2 cores: 2 tasks at once, both waiting), the reduce stage waits
        ProgressReport midway = awaitReport(
                jobId,
                r -> r.stages().size() == 2
                        && r.stages().get(0).status().equals("ACTIVE")
                        && r.stages().get(0).activeTasks() == 2);
        assertThat(midway.stages().get(1).status()).isEqualTo("PENDING");
        assertThat(midway.sparkJobs()).singleElement().satisfies(job -> {
            assertThat(job.status()).isEqualTo("RUNNING");
            assertThat(job.numTasks()).isEqualTo(7);
            assertThat(job.activeTasks()).isEqualTo(2);
            assertThat(job.completedTasks()).isZero();
            assertThat(job.submissionTime()).isNotNull();
            assertThat(job.completionTime()).isNull();
        });

        gate.countDown();
        assertThat(result.get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(3);
        reporter.beforeEnd(jobId, false);
        ProgressReport done = reporter.listener().report(jobId);
        assertThat(done.sparkJobs()).singleElement().satisfies(job -> {
            assertThat(job.status()).isEqualTo("SUCCEEDED");
            assertThat(job.stageIds()).hasSize(2);
            assertThat(job.numTasks()).isEqualTo(7);
            assertThat(job.completedTasks()).isEqualTo(7);
            assertThat(job.activeTasks()).isZero();
            assertThat(job.failedTasks()).isZero();
            assertThat(job.skippedTasks()).isZero();
            assertThat(job.completionTime()).isGreaterThanOrEqualTo(job.submissionTime());
        });
        ProgressReport.Stage map = done.stages().get(0);
        ProgressReport.Stage reduce = done.stages().get(1);
        assertThat(List.of(map.status(), reduce.status())).containsExactly("COMPLETE", "COMPLETE");
        assertThat(map.numTasks()).isEqualTo(4);
        assertThat(map.completedTasks()).isEqualTo(4);
        assertThat(map.shuffleWriteBytes()).isPositive();
        assertThat(map.name()).contains("mapToPair");
        assertThat(reduce.numTasks()).isEqualTo(3);
        assertThat(reduce.completedTasks()).isEqualTo(3);
        assertThat(reduce.shuffleReadBytes()).isPositive();
        assertThat(reduce.completionTime()).isNotNull();
        assertThat(reduce.failureReason()).isNull();
        reporter.forget(jobId);
    }

    @Test
    void aShuffleUsedAgainIsSkippedAndAFailedStageSaysWhy() throws Exception {
        String jobId = "job-again";
        reporter.jobBegins(jobId);
        gate = new CountDownLatch(0);
        sc.setJobGroup(jobId, "test", true);
        try {
            JavaPairRDD<Integer, Integer> reduced = blockedShuffle();
            reduced.collect();
            assertThat(reduced.count()).isEqualTo(3); // its map output exists: the map stage is skipped
            try {
                reduced.map(t -> {
                            throw new IllegalStateException("no " + t._1());
                        })
                        .collect();
            } catch (Exception expected) { // a SparkException, thrown unchecked from Scala
                // the third Spark job fails
            }
        } finally {
            sc.clearJobGroup();
        }
        reporter.beforeEnd(jobId, true); // the job failed: its failed Spark job ends after its action threw
        ProgressReport report = reporter.listener().report(jobId);
        assertThat(report.sparkJobs())
                .extracting(ProgressReport.SparkJob::status)
                .containsExactly("SUCCEEDED", "SUCCEEDED", "FAILED");
        ProgressReport.SparkJob second = report.sparkJobs().get(1);
        assertThat(second.skippedTasks()).isEqualTo(4);
        assertThat(second.completedTasks()).isEqualTo(3);
        assertThat(second.numTasks()).isEqualTo(7);
        ProgressReport.SparkJob third = report.sparkJobs().get(2);
        assertThat(third.failedTasks()).isPositive();
        // Spark gives the map stage a new id in each later Spark job, where it is skipped
        assertThat(report.stages())
                .extracting(ProgressReport.Stage::status)
                .containsExactly("COMPLETE", "COMPLETE", "SKIPPED", "COMPLETE", "SKIPPED", "FAILED");
        assertThat(report.stages().get(0).completedTasks()).isEqualTo(4);
        assertThat(report.stages().get(2).completedTasks()).isZero();
        ProgressReport.Stage failed = report.stages().get(5);
        assertThat(failed.status()).isEqualTo("FAILED");
        assertThat(failed.failureReason()).contains("no ");
        assertThat(failed.failedTasks()).isPositive();
        reporter.forget(jobId);
    }

    @Test
    void sparkWorkOfOtherGroupsAndOfEndedJobsIsIgnored() throws Exception {
        reporter.jobBegins("job-followed");
        gate = new CountDownLatch(0);
        sc.setJobGroup("someone-else", "test", true);
        blockedShuffle().count();
        sc.clearJobGroup();
        blockedShuffle().count(); // no group at all
        reporter.beforeEnd("job-followed", false);
        assertThat(reporter.listener().report("job-followed")).isEqualTo(ProgressReport.EMPTY);

        reporter.forget("job-followed");
        sc.setJobGroup("job-followed", "test", true);
        blockedShuffle().count();
        sc.clearJobGroup();
        reporter.beforeEnd("job-followed", false); // not followed: returns at once
        assertThat(reporter.listener().report("job-followed")).isNull();
        assertThat(reporter.listener().changedReports()).doesNotContainKey("job-followed");
    }

    @Test
    void onlyChangedPicturesAreSentAndTheLastGoesBeforeTheEnd() throws Exception {
        String jobId = "job-sent";
        reporter.jobBegins(jobId);
        List<Message.ToServer> sent = new ArrayList<>();
        reporter.sendChanged(sent::add);
        assertThat(sent)
                .noneMatch(m -> m instanceof Message.JobProgress p && p.jobId().equals(jobId));

        gate = new CountDownLatch(0);
        sc.setJobGroup(jobId, "test", true);
        blockedShuffle().collect(); // 7 tasks, dozens of events
        sc.clearJobGroup();
        reporter.beforeEnd(jobId, false);
        reporter.sendChanged(sent::add);
        assertThat(progressOf(sent, jobId))
                .singleElement()
                .satisfies(p ->
                        assertThat(p.progress().sparkJobs().get(0).status()).isEqualTo("SUCCEEDED"));
        reporter.sendChanged(sent::add); // nothing changed since
        assertThat(progressOf(sent, jobId)).hasSize(1);
        reporter.send(sent::add, true); // a server that came back gets every picture, changed or not
        assertThat(progressOf(sent, jobId)).hasSize(2);
        assertThat(progressOf(sent, jobId).get(1))
                .isEqualTo(progressOf(sent, jobId).get(0));

        List<Message.ToServer> ordered = new ArrayList<>();
        JobEvents events = reporter.withFinalReports(ordered::add, ordered::add);
        events.publish(new Message.JobStarted(jobId, 1)); // not an end: nothing more
        events.publish(new Message.JobFinished(jobId, 2, null));
        assertThat(ordered).hasSize(3);
        assertThat(ordered.get(1))
                .isInstanceOfSatisfying(
                        Message.JobProgress.class,
                        p -> assertThat(p.progress().stages()).hasSize(2));
        assertThat(ordered.get(2)).isInstanceOf(Message.JobFinished.class);
        assertThat(reporter.listener().follows(jobId)).isFalse();
    }

    @Test
    void aJobThatRunsSparkJobAfterSparkJobKeepsTheNewest() throws Exception {
        String jobId = "job-loop";
        reporter.jobBegins(jobId);
        sc.setJobGroup(jobId, "test", true);
        int runs = ProgressListener.MAX_SPARK_JOBS + 5;
        for (int i = 0; i < runs; i++) {
            jsc.parallelize(List.of(1, 2), 1).count();
        }
        sc.clearJobGroup();
        reporter.beforeEnd(jobId, false);
        ProgressReport report = reporter.listener().report(jobId);
        assertThat(report.sparkJobs()).hasSize(ProgressListener.MAX_SPARK_JOBS);
        assertThat(report.stages()).hasSize(ProgressListener.MAX_SPARK_JOBS);
        assertThat(report.droppedSparkJobs()).isEqualTo(5);
        reporter.forget(jobId);
    }

    @Test
    void theLastReportIsCompleteEveryTime() {
        // Many small jobs, as a warm context runs them: after beforeEnd, each report has the whole Spark job.
        int runs = 200;
        long[] waits = new long[runs];
        for (int i = 0; i < runs; i++) {
            String jobId = "job-small-" + i;
            reporter.jobBegins(jobId);
            sc.setJobGroup(jobId, "test", true);
            jsc.parallelize(List.of(1, 2, 3, 4), 2).count();
            sc.clearJobGroup();
            long start = System.nanoTime();
            reporter.beforeEnd(jobId, false);
            waits[i] = System.nanoTime() - start;
            ProgressReport report = reporter.listener().end(jobId);
            assertThat(report.sparkJobs()).singleElement().satisfies(job -> {
                assertThat(job.status()).isEqualTo("SUCCEEDED");
                assertThat(job.completedTasks()).isEqualTo(2);
            });
            assertThat(report.stages())
                    .singleElement()
                    .satisfies(stage -> assertThat(stage.status()).isEqualTo("COMPLETE"));
        }
        java.util.Arrays.sort(waits);
        // a figure for docs/observability.md, not an assertion
        System.out.printf(
                "beforeEnd over %d jobs: p50 %d us, p90 %d us, max %d us%n",
                runs, waits[runs / 2] / 1000, waits[runs * 9 / 10] / 1000, waits[runs - 1] / 1000);
    }

    private static List<Message.JobProgress> progressOf(List<Message.ToServer> sent, String jobId) {
        return sent.stream()
                .filter(m -> m instanceof Message.JobProgress p && p.jobId().equals(jobId))
                .map(Message.JobProgress.class::cast)
                .toList();
    }

    private static ProgressReport awaitReport(String jobId, Predicate<ProgressReport> condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        ProgressReport last = null;
        while (Instant.now().isBefore(deadline)) {
            last = reporter.listener().report(jobId);
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the report of " + jobId + " never got there; last: " + last);
    }
}
