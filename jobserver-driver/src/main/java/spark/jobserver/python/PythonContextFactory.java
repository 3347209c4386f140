package spark.jobserver.python;

import spark.jobserver.context.SparkContextFactory;

/**
 * A factory whose contexts run Python jobs: it makes a {@link PythonContext}, whose Python process runs
 * the jobs; JVM jobs are refused by its contexts ({@code 400 Invalid job type for this context}), and
 * Python jobs by every other factory's.
 */
public interface PythonContextFactory extends SparkContextFactory {
    /** Whether contexts of this factory can run {@code job}; every Python job by default. */
    default boolean isValidJob(PythonJob job) {
        return true;
    }
}
