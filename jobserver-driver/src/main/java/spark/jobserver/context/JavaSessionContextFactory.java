package spark.jobserver.context;

import spark.jobserver.japi.JSessionJob;

/**
 * The session factory for Java jobs: makes the same {@code SparkSession} as
 * {@link SessionContextFactory} (Hive, {@code hadoop} settings and stop included) and runs
 * {@link JSessionJob}s in it.
 */
public class JavaSessionContextFactory extends SessionContextFactory {

    @Override
    protected boolean isValidJob(Object job) {
        return job instanceof JSessionJob<?>;
    }
}
