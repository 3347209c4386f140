package spark.jobserver.context;

import spark.jobserver.japi.JStreamingJob;

/**
 * The streaming factory for Java jobs: makes the same {@code StreamingContext} as
 * {@link StreamingContextFactory} (same settings) and runs {@link JStreamingJob}s in it.
 */
public class JavaStreamingContextFactory extends StreamingContextFactory {

    @Override
    protected boolean isValidJob(Object job) {
        return job instanceof JStreamingJob<?>;
    }
}
