package spark.jobserver.context;

import static java.util.Objects.requireNonNull;

import java.util.function.Predicate;
import org.apache.spark.SparkContext;

/**
 * A context as the built-in factories make it: what jobs receive (a {@code SparkContext}, a
 * {@code SparkSession} or a {@code StreamingContext}), the {@link SparkContext} under it, how it stops
 * and which jobs it runs (the factory's {@code isValidJob}, which subclasses such as the Java factories
 * narrow).
 */
final class RunningContext implements ContextLike {
    private final Object jobContext;
    private final SparkContext sparkContext;
    private final Runnable stop;
    private final Predicate<Object> jobCheck;

    RunningContext(Object jobContext, SparkContext sparkContext, Runnable stop, Predicate<Object> jobCheck) {
        this.jobContext = requireNonNull(jobContext, "jobContext is null");
        this.sparkContext = requireNonNull(sparkContext, "sparkContext is null");
        this.stop = requireNonNull(stop, "stop is null");
        this.jobCheck = requireNonNull(jobCheck, "jobCheck is null");
    }

    @Override
    public SparkContext sparkContext() {
        return sparkContext;
    }

    @Override
    public Object jobContext() {
        return jobContext;
    }

    @Override
    public boolean isValidJob(Object job) {
        return jobCheck.test(job);
    }

    @Override
    public void stop() {
        stop.run();
    }
}
