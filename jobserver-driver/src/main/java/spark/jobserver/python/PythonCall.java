package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request of the driver to its Python process: load, validate, run or discard a job, or stop.
 * Python takes it from {@link PythonEntryPoint#take} and answers it with {@link #complete}, a JSON object
 * whose {@code outcome} says what happened. Public for Py4J only.
 */
public final class PythonCall {
    static final PythonCall STOP = new PythonCall("stop", "", "", "", List.of());

    private final String kind;
    private final String jobId;
    private final String classPath;
    private final String jobConfig;
    private final List<String> pyFiles;
    private final CompletableFuture<String> answer = new CompletableFuture<>();

    PythonCall(String kind, String jobId, String classPath, String jobConfig, List<String> pyFiles) {
        this.kind = requireNonNull(kind, "kind is null");
        this.jobId = requireNonNull(jobId, "jobId is null");
        this.classPath = requireNonNull(classPath, "classPath is null");
        this.jobConfig = requireNonNull(jobConfig, "jobConfig is null");
        this.pyFiles = List.copyOf(pyFiles);
    }

    static PythonCall load(String jobId, String classPath, List<String> pyFiles) {
        return new PythonCall("load", jobId, classPath, "", pyFiles);
    }

    static PythonCall validate(String jobId, String jobConfigJson) {
        return new PythonCall("validate", jobId, "", jobConfigJson, List.of());
    }

    static PythonCall run(String jobId) {
        return new PythonCall("run", jobId, "", "", List.of());
    }

    static PythonCall discard(String jobId) {
        return new PythonCall("discard", jobId, "", "", List.of());
    }

    /** {@code load}, {@code validate}, {@code run}, {@code discard} or {@code stop}. */
    public String kind() {
        return kind;
    }

    public String jobId() {
        return jobId;
    }

    /** The job's {@code module.Class} ({@code load}). */
    public String classPath() {
        return classPath;
    }

    /** The job's configuration as JSON ({@code validate}). */
    public String jobConfig() {
        return jobConfig;
    }

    /** The local files of the job's eggs and wheels ({@code load}). */
    public List<String> pyFiles() {
        return pyFiles;
    }

    /** Python's answer: a JSON object with an {@code outcome}. */
    public void complete(String answerJson) {
        answer.complete(answerJson);
    }

    CompletableFuture<String> answer() {
        return answer;
    }

    /** Ends the call without an answer from Python: the process is gone. */
    void fail(Throwable cause) {
        answer.completeExceptionally(cause);
    }

    @Override
    public String toString() {
        return "PythonCall[" + kind + ", " + jobId + "]";
    }
}
