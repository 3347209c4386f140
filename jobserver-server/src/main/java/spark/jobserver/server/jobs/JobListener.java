package spark.jobserver.server.jobs;

import java.util.List;
import org.slf4j.LoggerFactory;

/** Told when jobs start and end, once each, after the event is recorded (metrics, progress, the event stream). */
public interface JobListener {
    /** Hears nothing. */
    JobListener NONE = all();

    /**
     * @param adhoc whether the job's context is ad-hoc (started for it alone)
     */
    default void jobStarted(JobInfo job, boolean adhoc) {}

    /**
     * @param job the job as recorded at its end
     * @param adhoc whether the job's context is ad-hoc; false when not known (a job ended after a restart)
     */
    default void jobEnded(JobInfo job, boolean adhoc) {}

    /** Tells each of {@code listeners}, in order; one that throws does not keep the others from hearing. */
    static JobListener all(JobListener... listeners) {
        List<JobListener> each = List.of(listeners);
        return new JobListener() {
            @Override
            public void jobStarted(JobInfo job, boolean adhoc) {
                for (JobListener listener : each) {
                    try {
                        listener.jobStarted(job, adhoc);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(JobListener.class)
                                .error("A job listener failed on job {}", job.jobId(), e);
                    }
                }
            }

            @Override
            public void jobEnded(JobInfo job, boolean adhoc) {
                for (JobListener listener : each) {
                    try {
                        listener.jobEnded(job, adhoc);
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(JobListener.class)
                                .error("A job listener failed on job {}", job.jobId(), e);
                    }
                }
            }
        };
    }
}
