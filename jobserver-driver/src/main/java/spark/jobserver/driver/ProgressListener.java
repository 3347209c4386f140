package spark.jobserver.driver;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.Success$;
import org.apache.spark.TaskCommitDenied;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;
import spark.jobserver.protocol.ProgressReport;

/**
 * Follows the Spark work of the job server's jobs: each job's Spark jobs (found by the job group the job
 * runs in, which is its id) and their stage attempts, with task counts and bytes read and written.
 *
 * <p>Spark calls it on its listener bus thread, so each event only updates a few counters; reports are
 * built when asked ({@link #report}, {@link #changedReports}), under the job's own lock. Only jobs between
 * {@link #begin} and {@link #end} are followed: Spark work of other job groups (or of a job that has
 * ended, such as a killed job's last tasks) is ignored.
 */
final class ProgressListener extends SparkListener {
    /** The local property Spark's {@code setJobGroup} sets (SparkContext.SPARK_JOB_GROUP_ID). */
    static final String JOB_GROUP = "spark.jobGroup.id";

    /** A job keeps at most this many Spark jobs in its report; the oldest ended ones go first. */
    static final int MAX_SPARK_JOBS = 100;

    private final ConcurrentMap<String, Track> tracks = new ConcurrentHashMap<>();
    // Listener bus thread only.
    private final Map<Integer, Track> bySparkJob = new HashMap<>();
    private final Map<Integer, Track> byStage = new HashMap<>();

    /** Follows the Spark work of job {@code jobId} from now on (before its job group is set). */
    void begin(String jobId) {
        tracks.computeIfAbsent(jobId, Track::new);
    }

    /** Whether job {@code jobId} is followed. */
    boolean follows(String jobId) {
        return tracks.containsKey(jobId);
    }

    /** Stops following job {@code jobId}; returns its last report, or null when it was not followed. */
    ProgressReport end(String jobId) {
        Track track = tracks.remove(jobId);
        if (track == null) {
            return null;
        }
        synchronized (track) {
            track.ended = true;
            return track.report();
        }
    }

    /** The report of job {@code jobId} now; null when it is not followed. */
    ProgressReport report(String jobId) {
        Track track = tracks.get(jobId);
        if (track == null) {
            return null;
        }
        synchronized (track) {
            return track.report();
        }
    }

    /**
     * Waits until none of job {@code jobId}'s Spark jobs runs, at most {@code timeout}; returns whether none
     * does.
     */
    boolean awaitNoneRunning(String jobId, Duration timeout) throws InterruptedException {
        Track track = tracks.get(jobId);
        if (track == null) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (track) {
            while (track.anyRunning()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(track, left);
            }
        }
        return true;
    }

    /** The reports of the followed jobs whose picture changed since they were last asked for here. */
    Map<String, ProgressReport> changedReports() {
        return reports(false);
    }

    /**
     * The reports of the followed jobs: all of them, or only those whose picture changed since they were
     * last asked for here.
     */
    Map<String, ProgressReport> reports(boolean all) {
        Map<String, ProgressReport> changed = new LinkedHashMap<>();
        for (Track track : tracks.values()) {
            synchronized (track) {
                if ((all || track.changed) && !track.ended) {
                    track.changed = false;
                    changed.put(track.jobId, track.report());
                }
            }
        }
        return changed;
    }

    // ---- Spark's events, on the listener bus thread

    @Override
    public void onJobStart(SparkListenerJobStart event) {
        Track track = trackOf(event.properties());
        if (track == null) {
            return;
        }
        List<StageInfo> infos = CollectionConverters.asJava(event.stageInfos());
        synchronized (track) {
            Map<Integer, Integer> stageTasks = new TreeMap<>(); // Spark's order is a set's
            for (StageInfo info : infos) {
                stageTasks.put(info.stageId(), info.numTasks());
                track.stages.computeIfAbsent(
                        new StageKey(info.stageId(), info.attemptNumber()),
                        k -> new StageState(k, info.name(), info.numTasks()));
            }
            track.sparkJobs.put(event.jobId(), new SparkJobState(event.jobId(), stageTasks, event.time()));
            track.dropOldest();
            track.changed = true;
        }
        bySparkJob.put(event.jobId(), track);
        for (StageInfo info : infos) {
            byStage.put(info.stageId(), track);
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd event) {
        Track track = bySparkJob.remove(event.jobId());
        if (track == null) {
            return;
        }
        List<Integer> stageIds;
        synchronized (track) {
            SparkJobState job = track.sparkJobs.get(event.jobId());
            if (job == null) {
                return;
            }
            stageIds = List.copyOf(job.stageTasks.keySet());
            job.status = event.jobResult() instanceof JobFailed ? "FAILED" : "SUCCEEDED";
            job.completionTime = event.time();
            job.activeTasks = 0;
            // What this Spark job never ran was skipped: its output was there from an earlier Spark job.
            for (Map.Entry<Integer, Integer> stage : job.stageTasks.entrySet()) {
                if (!job.submitted.contains(stage.getKey())) {
                    job.skippedTasks += stage.getValue();
                }
            }
            for (StageState stage : track.stages.values()) {
                if (stage.status.equals("PENDING") && stageIds.contains(stage.key.stageId())) {
                    stage.status = "SKIPPED";
                }
            }
            track.changed = true;
            track.notifyAll(); // awaitNoneRunning
        }
        for (Integer stageId : stageIds) {
            if (!track.running(stageId)) {
                byStage.remove(stageId, track);
            }
        }
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted event) {
        StageInfo info = event.stageInfo();
        Track track = byStage.get(info.stageId());
        if (track == null) {
            track = trackOf(event.properties());
            if (track == null) {
                return;
            }
            byStage.put(info.stageId(), track);
        }
        synchronized (track) {
            StageState stage = track.stages.computeIfAbsent(
                    new StageKey(info.stageId(), info.attemptNumber()),
                    k -> new StageState(k, info.name(), info.numTasks()));
            stage.status = "ACTIVE";
            stage.numTasks = info.numTasks();
            stage.submissionTime = time(info.submissionTime());
            for (SparkJobState job : track.runningWith(info.stageId())) {
                job.submitted.add(info.stageId());
            }
            track.changed = true;
        }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted event) {
        StageInfo info = event.stageInfo();
        Track track = byStage.get(info.stageId());
        if (track == null) {
            return;
        }
        synchronized (track) {
            StageState stage = track.stages.computeIfAbsent(
                    new StageKey(info.stageId(), info.attemptNumber()),
                    k -> new StageState(k, info.name(), info.numTasks()));
            stage.failureReason =
                    info.failureReason().isDefined() ? info.failureReason().get() : null;
            stage.status = stage.failureReason == null ? "COMPLETE" : "FAILED";
            stage.completionTime = time(info.completionTime());
            if (stage.submissionTime == null) {
                stage.submissionTime = time(info.submissionTime());
            }
            // A speculative copy still running ends after the stage; it no longer counts.
            stage.activeTasks = 0;
            track.changed = true;
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart event) {
        Track track = byStage.get(event.stageId());
        if (track == null) {
            return;
        }
        synchronized (track) {
            StageState stage = track.stages.get(new StageKey(event.stageId(), event.stageAttemptId()));
            if (stage != null) {
                stage.activeTasks++;
                for (SparkJobState job : track.runningWith(event.stageId())) {
                    job.activeTasks++;
                }
                track.changed = true;
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd event) {
        Track track = byStage.get(event.stageId());
        if (track == null) {
            return;
        }
        TaskEndReason reason = event.reason();
        TaskMetrics metrics = event.taskMetrics();
        synchronized (track) {
            StageState stage = track.stages.get(new StageKey(event.stageId(), event.stageAttemptId()));
            if (stage == null) {
                return;
            }
            // As Spark's own status listener counts: killed tasks and denied commits are not failures.
            boolean completed = reason == Success$.MODULE$;
            boolean failed = !completed && !(reason instanceof TaskKilled) && !(reason instanceof TaskCommitDenied);
            stage.activeTasks = Math.max(0, stage.activeTasks - 1);
            stage.completedTasks += completed ? 1 : 0;
            stage.failedTasks += failed ? 1 : 0;
            for (SparkJobState job : track.runningWith(event.stageId())) {
                job.activeTasks = Math.max(0, job.activeTasks - 1);
                job.completedTasks += completed ? 1 : 0;
                job.failedTasks += failed ? 1 : 0;
            }
            if (metrics != null) {
                stage.inputBytes += metrics.inputMetrics().bytesRead();
                stage.outputBytes += metrics.outputMetrics().bytesWritten();
                stage.shuffleReadBytes += metrics.shuffleReadMetrics().totalBytesRead();
                stage.shuffleWriteBytes += metrics.shuffleWriteMetrics().bytesWritten();
            }
            track.changed = true;
        }
    }

    @Override
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof Mark mark) {
            mark.reached.countDown();
        }
    }

    private Track trackOf(Properties properties) {
        String group = properties == null ? null : properties.getProperty(JOB_GROUP);
        return group == null ? null : tracks.get(group);
    }

    private static Long time(Option<Object> time) {
        return time.isDefined() ? (Long) time.get() : null;
    }

    /**
     * An event of ours on Spark's listener bus: when this listener sees it, it has seen every event posted
     * before it (a queue delivers its events in order).
     */
    static final class Mark implements SparkListenerEvent {
        final CountDownLatch reached = new CountDownLatch(1);

        @Override
        public boolean logEvent() {
            return false; // not for Spark's event log
        }
    }

    private record StageKey(int stageId, int attempt) {}

    private static final class SparkJobState {
        final int id;
        /** Its stages' ids and task counts, as Spark announced them at its start. */
        final Map<Integer, Integer> stageTasks;

        final long submissionTime;
        /** The stages submitted while it ran; the others were skipped. */
        final Set<Integer> submitted = new HashSet<>();

        String status = "RUNNING";
        Long completionTime;
        int activeTasks;
        int completedTasks;
        int failedTasks;
        int skippedTasks;

        SparkJobState(int id, Map<Integer, Integer> stageTasks, long submissionTime) {
            this.id = id;
            this.stageTasks = stageTasks;
            this.submissionTime = submissionTime;
        }

        ProgressReport.SparkJob report() {
            int numTasks = 0;
            for (int n : stageTasks.values()) {
                numTasks += n;
            }
            return new ProgressReport.SparkJob(
                    id,
                    status,
                    List.copyOf(stageTasks.keySet()),
                    numTasks,
                    activeTasks,
                    completedTasks,
                    skippedTasks,
                    failedTasks,
                    submissionTime,
                    completionTime);
        }
    }

    private static final class StageState {
        final StageKey key;
        final String name;
        String status = "PENDING";
        int numTasks;
        int activeTasks;
        int completedTasks;
        int failedTasks;
        long inputBytes;
        long outputBytes;
        long shuffleReadBytes;
        long shuffleWriteBytes;
        Long submissionTime;
        Long completionTime;
        String failureReason;

        StageState(StageKey key, String name, int numTasks) {
            this.key = key;
            this.name = name;
            this.numTasks = numTasks;
        }

        ProgressReport.Stage report() {
            return new ProgressReport.Stage(
                    key.stageId(),
                    key.attempt(),
                    name,
                    status,
                    numTasks,
                    activeTasks,
                    completedTasks,
                    failedTasks,
                    inputBytes,
                    outputBytes,
                    shuffleReadBytes,
                    shuffleWriteBytes,
                    submissionTime,
                    completionTime,
                    failureReason);
        }
    }

    /** One followed job; guarded by itself. */
    private static final class Track {
        final String jobId;
        final LinkedHashMap<Integer, SparkJobState> sparkJobs = new LinkedHashMap<>();
        final LinkedHashMap<StageKey, StageState> stages = new LinkedHashMap<>();
        int dropped;
        boolean changed;
        boolean ended;

        Track(String jobId) {
            this.jobId = jobId;
        }

        /** The Spark jobs still running that have stage {@code stageId}: usually one. */
        List<SparkJobState> runningWith(int stageId) {
            List<SparkJobState> running = new ArrayList<>(1);
            for (SparkJobState job : sparkJobs.values()) {
                if (job.completionTime == null && job.stageTasks.containsKey(stageId)) {
                    running.add(job);
                }
            }
            return running;
        }

        boolean anyRunning() {
            for (SparkJobState job : sparkJobs.values()) {
                if (job.completionTime == null) {
                    return true;
                }
            }
            return false;
        }

        boolean running(int stageId) {
            return !runningWith(stageId).isEmpty();
        }

        /** Keeps a job that runs Spark job after Spark job (a loop, a stream) from growing without bound. */
        void dropOldest() {
            Iterator<SparkJobState> it = sparkJobs.values().iterator();
            while (sparkJobs.size() > MAX_SPARK_JOBS && it.hasNext()) {
                SparkJobState job = it.next();
                if (job.completionTime == null) {
                    continue;
                }
                it.remove();
                dropped++;
                stages.values().removeIf(s -> job.stageTasks.containsKey(s.key.stageId()) && !kept(s.key.stageId()));
            }
        }

        private boolean kept(int stageId) {
            for (SparkJobState job : sparkJobs.values()) {
                if (job.stageTasks.containsKey(stageId)) {
                    return true;
                }
            }
            return false;
        }

        ProgressReport report() {
            List<ProgressReport.SparkJob> jobs = new ArrayList<>(sparkJobs.size());
            for (SparkJobState job : sparkJobs.values()) {
                jobs.add(job.report());
            }
            List<ProgressReport.Stage> stageReports = new ArrayList<>(stages.size());
            for (StageState stage : stages.values()) {
                stageReports.add(stage.report());
            }
            // Spark numbers a job's stages parents first
            stageReports.sort(Comparator.comparingInt(ProgressReport.Stage::stageId)
                    .thenComparingInt(ProgressReport.Stage::attempt));
            return new ProgressReport(jobs, stageReports, dropped);
        }
    }
}
