package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.server.http.ApiException;

/**
 * Jobs' stream results: received from a job's own driver before its end is reported, kept on disk,
 * relayed to clients from there in chunks, deleted with the job's history.
 */
public final class StreamResultService {
    private static final Logger LOG = LoggerFactory.getLogger(StreamResultService.class);

    private final JobStore store;
    private final StreamResultStore streamStore;
    private final StreamResults streams;
    private final JobRecorder recorder;
    private final Clock clock;

    public StreamResultService(
            JobStore store, StreamResultStore streamStore, StreamResults streams, JobRecorder recorder, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.streamStore = requireNonNull(streamStore, "streamStore is null");
        this.streams = requireNonNull(streams, "streams is null");
        this.recorder = requireNonNull(recorder, "recorder is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Receives the bytes of a job's stream result from the driver of context {@code contextId}.
     *
     * @param declaredLength the request's Content-Length, or -1
     * @return the number of bytes received
     */
    public long receive(String contextId, String jobId, InputStream body, long declaredLength) {
        String owner = recorder.trackers()
                .get(jobId)
                .map(tracker -> tracker.template.contextId())
                .or(() -> store.get(jobId).map(JobInfo::contextId))
                .orElseThrow(() -> ApiException.error(404, "No such job ID " + jobId));
        if (!owner.equals(contextId)) {
            throw ApiException.error(403, "Job " + jobId + " does not run in this driver's context");
        }
        JobStatus status = store.get(jobId).map(JobInfo::status).orElse(JobStatus.RUNNING);
        if (status.isTerminal()) {
            throw ApiException.error(409, "Job " + jobId + " is not running (" + status + ")");
        }
        try {
            return streams.receive(jobId, body, declaredLength);
        } catch (StreamResults.TooLargeException e) {
            LOG.warn("Job {}: {}", jobId, e.getMessage());
            recorder.end(
                    jobId,
                    JobStatus.ERROR,
                    clock.instant(),
                    null,
                    ErrorInfo.of(e.getMessage(), "spark.jobserver.ResultTooLargeException"),
                    false);
            throw ApiException.error(413, e.getMessage());
        } catch (IOException e) {
            LOG.warn("Job {}: receiving its result stream failed", jobId, e);
            throw ApiException.error(500, "Receiving the result stream of job " + jobId + " failed: " + e.getMessage());
        }
    }

    /** Whether the job finished with a stream result. */
    public boolean hasStreamResult(String jobId) {
        return streamStore.size(jobId).isPresent();
    }

    /** How large the chunks of a relayed stream result are ({@code spark.jobserver.result-chunk-size}). */
    public int chunkSize() {
        return streams.chunkSize();
    }

    /** Writes {@code prefix}, the job's stream result and {@code suffix} to {@code out}, chunked, from disk. */
    public void relay(String jobId, byte[] prefix, byte[] suffix, OutputStream out) throws IOException {
        streams.relay(jobId, prefix, suffix, out);
    }

    /** Deletes stored stream results whose jobs were pruned from the history; run after each pruning. */
    public int deleteOrphans() {
        return streams.deleteOrphans(jobId -> store.get(jobId).isPresent());
    }
}
