package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One request of the driver to its Python process: load, validate, run or discard a job, or stop. It
 * crosses to Python as one JSON object ({@link #toJson}: one Py4J round trip rather than one per field),
 * and Python answers it with {@link PythonEntryPoint#answer}: a JSON object whose {@code outcome} says
 * what happened.
 */
final class PythonCall {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong IDS = new AtomicLong();

    static final String STOP_JSON = "{\"kind\":\"stop\"}";

    private final long id = IDS.incrementAndGet();
    private final String json;
    private final String kind;
    private final String jobId;
    private final CompletableFuture<String> answer = new CompletableFuture<>();

    private PythonCall(String kind, String jobId, String classPath, String jobConfig, List<String> pyFiles) {
        this.kind = requireNonNull(kind, "kind is null");
        this.jobId = requireNonNull(jobId, "jobId is null");
        ObjectNode call =
                JSON.createObjectNode().put("id", id).put("kind", kind).put("jobId", jobId);
        if (classPath != null) {
            call.put("classPath", classPath);
        }
        if (jobConfig != null) {
            call.put("jobConfig", jobConfig);
        }
        if (pyFiles != null) {
            pyFiles.forEach(call.putArray("pyFiles")::add);
        }
        try {
            this.json = JSON.writeValueAsString(call);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static PythonCall load(String jobId, String classPath, List<String> pyFiles) {
        return new PythonCall("load", jobId, classPath, null, pyFiles);
    }

    /** @param jobConfigJson the job's configuration, rendered as JSON */
    static PythonCall validate(String jobId, String jobConfigJson) {
        return new PythonCall("validate", jobId, null, jobConfigJson, null);
    }

    static PythonCall run(String jobId) {
        return new PythonCall("run", jobId, null, null, null);
    }

    static PythonCall discard(String jobId) {
        return new PythonCall("discard", jobId, null, null, null);
    }

    long id() {
        return id;
    }

    /** What Python reads: {@code {id, kind, jobId[, classPath][, jobConfig][, pyFiles]}}. */
    String toJson() {
        return json;
    }

    CompletableFuture<String> answer() {
        return answer;
    }

    void complete(String answerJson) {
        answer.complete(answerJson);
    }

    /** Ends the call without an answer from Python: the process is gone. */
    void fail(Throwable cause) {
        answer.completeExceptionally(cause);
    }

    @Override
    public String toString() {
        return "PythonCall[" + id + ", " + kind + ", " + jobId + "]";
    }
}
