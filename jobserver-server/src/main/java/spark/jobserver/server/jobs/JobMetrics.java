package spark.jobserver.server.jobs;

/** Told when jobs start and end, once each, after the event is recorded. */
public interface JobMetrics {
    /** Counts nothing. */
    JobMetrics NONE = new JobMetrics() {
        @Override
        public void jobStarted(JobInfo job, boolean adhoc) {}

        @Override
        public void jobEnded(JobInfo job, boolean adhoc) {}
    };

    /**
     * @param adhoc whether the job's context is ad-hoc (started for it alone)
     */
    void jobStarted(JobInfo job, boolean adhoc);

    /**
     * @param job the job as recorded at its end
     * @param adhoc whether the job's context is ad-hoc; false when not known (a job ended after a restart)
     */
    void jobEnded(JobInfo job, boolean adhoc);
}
