package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.spark.SparkContext;
import spark.jobserver.ContextLike;

/**
 * A context whose jobs run in Python: the Spark context a {@link PythonContextFactory} made, and the
 * Python process that wraps it for the jobs.
 */
public final class PythonContext implements ContextLike {
    private final ContextLike spark;
    private final PythonProcess python;

    PythonContext(ContextLike spark, PythonProcess python) {
        this.spark = requireNonNull(spark, "spark is null");
        this.python = requireNonNull(python, "python is null");
    }

    @Override
    public SparkContext sparkContext() {
        return spark.sparkContext();
    }

    /**
     * Asks the context's Python process to import {@code job}'s class and make an instance for
     * {@code jobId}.
     *
     * @return Python's answer, a JSON object whose {@code outcome} is {@code loaded}, {@code not_found}
     *     (with a {@code message}) or {@code load_failed} (with an {@code error})
     * @throws PythonUnavailableException when the process cannot be had, or dies before it answers
     */
    public String load(String jobId, PythonJob job) throws InterruptedException {
        return python.call(PythonCall.load(
                jobId,
                job.classPath(),
                job.pyFiles().stream().map(Path::toString).toList()));
    }

    /**
     * Runs the validation of the job loaded for {@code jobId} with its configuration.
     *
     * @return {@code valid}, {@code invalid} (with {@code problems}) or {@code error} (with an {@code error})
     */
    public String validate(String jobId, String jobConfigJson) throws InterruptedException {
        return python.call(PythonCall.validate(jobId, jobConfigJson));
    }

    /**
     * Runs the validated job of {@code jobId}.
     *
     * @return {@code result} (with its JSON {@code value}) or {@code error} (with an {@code error})
     */
    public String run(String jobId) throws InterruptedException {
        return python.call(PythonCall.run(jobId));
    }

    /**
     * Forgets the job of {@code jobId}, which will not run (killed before it did); nothing to do when the
     * Python process it was loaded in is gone.
     */
    public void discard(String jobId) throws InterruptedException {
        python.callIfRunning(PythonCall.discard(jobId));
    }

    /** Stops the Python process, then the Spark context. */
    @Override
    public void stop() {
        try {
            python.close();
        } finally {
            spark.stop();
        }
    }
}
