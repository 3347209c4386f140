package spark.jobserver.driver;

/** What the job manager tells whoever follows its jobs' Spark work ({@link ProgressReporter}). */
interface ProgressTracking {
    /** Follows nothing. */
    ProgressTracking NONE = new ProgressTracking() {};

    /** Job {@code jobId} is about to set its job group and run: its Spark work is followed from now on. */
    default void jobBegins(String jobId) {}

    /**
     * Job {@code jobId}, on its own thread, is about to publish its end: waits (briefly) until the whole of
     * its Spark work has been seen, so that the last report is complete.
     *
     * @param failed whether the job ends because it threw (a Spark job that failed ends after its action)
     */
    default void beforeEnd(String jobId, boolean failed) {}

    /** Job {@code jobId}'s thread is done with it, whatever happened: nothing of it is kept. */
    default void forget(String jobId) {}
}
