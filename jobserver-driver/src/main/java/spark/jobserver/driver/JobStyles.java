package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.streaming.StreamingContext;
import spark.jobserver.NamedObjectSupport;
import spark.jobserver.SparkJobInvalid;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.SparkStreamingJob;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.SparkJobBase;
import spark.jobserver.context.ContextLike;
import spark.jobserver.japi.BaseJavaJob;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.protocol.ErrorInfo;

/**
 * Validates and runs a job of any supported style: typed ({@link SparkJobBase}), legacy
 * ({@link spark.jobserver.SparkJob}, {@link SparkStreamingJob}) and Java ({@link BaseJavaJob}). Each style
 * gets the context in the form it declares, adapted from {@link ContextLike#jobContext()}. Jobs that
 * implement {@link NamedObjectSupport} get the context's named objects first.
 */
final class JobStyles {
    /** The error class clients see on a refused validation, as in the original. */
    static final String VALIDATION_ERROR_CLASS = "java.lang.Throwable";

    private JobStyles() {}

    /** The outcome of a validation. */
    sealed interface Validated permits Valid, Invalid {}

    /** The job may run: {@code runner} runs it with what validation produced. */
    record Valid(Runner runner) implements Validated {
        Valid {
            requireNonNull(runner, "runner is null");
        }
    }

    /** The job's validation refused its input. */
    record Invalid(ErrorInfo error) implements Validated {
        Invalid {
            requireNonNull(error, "error is null");
        }
    }

    /** Runs a validated job. */
    @FunctionalInterface
    interface Runner {
        Object run() throws Exception;
    }

    /**
     * Runs the job's validation.
     *
     * @throws Exception whatever the validation threw; the job then failed validation
     */
    static Validated validate(Object job, ContextLike context, JobEnvironment env, Config config) throws Exception {
        if (job instanceof NamedObjectSupport support) {
            support.setNamedObjects(env.namedObjects());
        }
        if (job instanceof SparkJobBase<?, ?, ?> typed) {
            return validateTyped(typed, context, env, config);
        }
        if (job instanceof spark.jobserver.SparkJob legacy) {
            return validateLegacy(legacy, context, config);
        }
        if (job instanceof BaseJavaJob<?, ?> java) {
            return validateJava(java, context, env, config);
        }
        if (job instanceof SparkStreamingJob streaming) {
            return validateStreaming(streaming, context, config);
        }
        throw new IllegalArgumentException(job.getClass().getName() + " is not a job");
    }

    private static Validated validateTyped(
            SparkJobBase<?, ?, ?> job, ContextLike context, JobEnvironment env, Config config) {
        @SuppressWarnings("unchecked")
        SparkJobBase<Object, Object, ?> typed = (SparkJobBase<Object, Object, ?>) job;
        Object sc = job instanceof spark.jobserver.api.SparkJob<?, ?> ? sparkContext(context) : context.jobContext();
        JobValidation<Object> validation = typed.validate(sc, env, config);
        if (validation == null) {
            throw new IllegalStateException(job.getClass().getName() + ".validate returned null");
        }
        if (validation instanceof JobValidation.Bad<Object> bad) {
            return new Invalid(new ErrorInfo(bad.describe(), VALIDATION_ERROR_CLASS, ""));
        }
        Object data = ((JobValidation.Good<Object>) validation).data();
        return new Valid(() -> typed.runJob(sc, env, data));
    }

    private static Validated validateLegacy(spark.jobserver.SparkJob job, ContextLike context, Config config) {
        SparkContext sc = sparkContext(context);
        return legacyOutcome(job, job.validate(sc, config), () -> job.runJob(sc, config));
    }

    private static Validated legacyOutcome(Object job, SparkJobValidation validation, Runner runner) {
        if (validation == null) {
            throw new IllegalStateException(job.getClass().getName() + ".validate returned null");
        }
        if (validation instanceof SparkJobInvalid invalid) {
            // The original's rendering of Bad(One(SparkJobInvalid(reason))).
            return new Invalid(new ErrorInfo("One(" + invalid + ")", VALIDATION_ERROR_CLASS, ""));
        }
        return new Valid(runner);
    }

    private static Validated validateStreaming(SparkStreamingJob job, ContextLike context, Config config) {
        Object jobContext = context.jobContext();
        if (!(jobContext instanceof StreamingContext ssc)) {
            throw new IllegalStateException("a streaming job needs a StreamingContext, this context provides "
                    + (jobContext == null ? "nothing" : jobContext.getClass().getName()));
        }
        return legacyOutcome(job, job.validate(ssc, config), () -> job.runJob(ssc, config));
    }

    private static Validated validateJava(BaseJavaJob<?, ?> job, ContextLike context, JobEnvironment env, Config config)
            throws Exception {
        @SuppressWarnings("unchecked")
        BaseJavaJob<?, Object> java = (BaseJavaJob<?, Object>) job;
        Object sc = job instanceof JSparkJob<?>
                ? JavaSparkContext.fromSparkContext(sparkContext(context))
                : context.jobContext();
        // verify's result is the configuration run gets; a verify that throws fails validation (caller).
        Config verified = java.verify(sc, env, config);
        return new Valid(() -> java.run(sc, env, verified));
    }

    /** The context as a {@link SparkContext}: the job context itself when it is one, else the one underneath. */
    static SparkContext sparkContext(ContextLike context) {
        Object jobContext = context.jobContext();
        if (jobContext instanceof SparkContext sc) {
            return sc;
        }
        if (jobContext instanceof JavaSparkContext jsc) {
            return jsc.sc();
        }
        return context.sparkContext();
    }
}
