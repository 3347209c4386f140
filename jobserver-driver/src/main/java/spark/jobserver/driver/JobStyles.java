package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.streaming.StreamingContext;
import org.scalactic.Bad;
import org.scalactic.Good;
import org.scalactic.Or;
import spark.jobserver.ContextLike;
import spark.jobserver.SparkSessionJob;
import spark.jobserver.SparkStreamingJob;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.SparkJobBase;
import spark.jobserver.context.JavaContextFactory;
import spark.jobserver.context.ScalaContextFactory;
import spark.jobserver.context.SparkContextFactory;
import spark.jobserver.context.SparkSessionContextLikeWrapper;
import spark.jobserver.japi.BaseJavaJob;
import spark.jobserver.japi.JSessionJob;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.japi.JStreamingJob;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.python.PythonContext;
import spark.jobserver.python.PythonContextFactory;
import spark.jobserver.python.PythonJob;

/**
 * Admits, validates and runs a job of any API: Scala ({@link SparkJobBase}: the new API, and the
 * legacy, session and streaming styles, which the API adapts to it), Java ({@link BaseJavaJob}) and Python
 * ({@link PythonJob}, run by the context's Python process). Each job receives the context in the form its
 * style declares.
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
     * Whether contexts of {@code factory} run {@code job}, as the original decided: a Scala job needs a
     * {@link ScalaContextFactory} that accepts it, a Java job a {@link JavaContextFactory} that does, a
     * Python job a {@link PythonContextFactory}.
     */
    static boolean admits(SparkContextFactory factory, Object job) {
        if (job instanceof SparkJobBase scalaJob
                && factory instanceof ScalaContextFactory scalaFactory
                && scalaFactory.isValidJob(scalaJob)) {
            return true;
        }
        if (job instanceof PythonJob pythonJob
                && factory instanceof PythonContextFactory pythonFactory
                && pythonFactory.isValidJob(pythonJob)) {
            return true;
        }
        return job instanceof BaseJavaJob<?, ?> javaJob
                && factory instanceof JavaContextFactory javaFactory
                && javaFactory.isValidJob(javaJob);
    }

    /**
     * The admitted job, ready to validate: a Python job is loaded by the context's Python process; a JVM
     * job is loaded already.
     *
     * @throws JobRejectedException when Python has no such class, or cannot load it
     */
    static Object prepare(Object job, ContextLike context, String jobId)
            throws JobRejectedException, InterruptedException {
        if (job instanceof PythonJob python) {
            if (!(context instanceof PythonContext pythonContext)) {
                throw new IllegalStateException(
                        "a Python job needs a Python context, this context provides " + describe(context));
            }
            return PythonJobs.load(pythonContext, jobId, python);
        }
        return job;
    }

    /** What a prepared job holds outside this JVM goes once it ends: a Python job's instance in Python. */
    static void release(Object job) {
        if (job instanceof PythonJobs.Loaded python) {
            python.release();
        }
    }

    /**
     * Runs the job's validation.
     *
     * @throws Exception whatever the validation threw; the job then failed validation
     */
    static Validated validate(Object job, ContextLike context, JobEnvironment env, Config config) throws Exception {
        if (job instanceof SparkJobBase scalaJob) {
            return validateScala(scalaJob, context, env, config);
        }
        if (job instanceof BaseJavaJob<?, ?> javaJob) {
            return validateJava(javaJob, context, env, config);
        }
        if (job instanceof PythonJobs.Loaded python) {
            return python.validate(config);
        }
        throw new IllegalArgumentException(job.getClass().getName() + " is not a job");
    }

    private static Validated validateScala(SparkJobBase job, ContextLike context, JobEnvironment env, Config config) {
        Object sc = scalaJobContext(job, context);
        // The legacy styles' own validate sets their namedObjects and maps SparkJobValid/SparkJobInvalid.
        Or<?, ?> validation = job.validate(sc, env, config);
        if (validation == null) {
            throw new IllegalStateException(job.getClass().getName() + ".validate returned null");
        }
        if (validation instanceof Bad<?> bad) {
            // Scalactic's rendering is the original's message: One(SingleProblem(...)), Many(..., ...).
            return new Invalid(new ErrorInfo(String.valueOf(bad.b()), VALIDATION_ERROR_CLASS, ""));
        }
        Object data = ((Good<?>) validation).g();
        return new Valid(() -> job.runJob(sc, env, data));
    }

    private static Validated validateJava(BaseJavaJob<?, ?> job, ContextLike context, JobEnvironment env, Config config)
            throws Exception {
        @SuppressWarnings("unchecked")
        BaseJavaJob<?, Object> java = (BaseJavaJob<?, Object>) job;
        Object sc = javaJobContext(job, context);
        // verify's result is the configuration run gets; a verify that throws fails validation (caller).
        Config verified = java.verify(sc, env, config);
        return new Valid(() -> java.run(sc, env, verified));
    }

    /** What a Scala job receives as its {@code sc}. */
    private static Object scalaJobContext(SparkJobBase job, ContextLike context) {
        if (job instanceof spark.jobserver.SparkJob || job instanceof spark.jobserver.api.SparkJob) {
            return context.sparkContext();
        }
        if (job instanceof SparkSessionJob) {
            return session(context);
        }
        if (job instanceof SparkStreamingJob) {
            return streamingContext(context);
        }
        return ownStyleContext(context);
    }

    /** What a Java job receives as its {@code sc}. */
    private static Object javaJobContext(BaseJavaJob<?, ?> job, ContextLike context) {
        if (job instanceof JSparkJob<?>) {
            return JavaSparkContext.fromSparkContext(context.sparkContext());
        }
        if (job instanceof JSessionJob<?>) {
            return session(context);
        }
        if (job instanceof JStreamingJob<?>) {
            return streamingContext(context);
        }
        return ownStyleContext(context);
    }

    /**
     * What a job of a custom factory's own style receives: the context the factory made, as in the original,
     * except that a session context gives its session, what every session style here declares
     * (docs/compatibility.md).
     */
    private static Object ownStyleContext(ContextLike context) {
        return context instanceof SparkSessionContextLikeWrapper wrapper ? wrapper.spark() : context;
    }

    private static SparkSession session(ContextLike context) {
        if (context instanceof SparkSessionContextLikeWrapper wrapper) {
            return wrapper.spark();
        }
        throw new IllegalStateException(
                "a session job needs a SparkSession, this context provides " + describe(context));
    }

    @SuppressWarnings("deprecation") // DStreams are deprecated in Spark 4; the streaming styles are the original's API
    private static StreamingContext streamingContext(ContextLike context) {
        if (context instanceof StreamingContext ssc) {
            return ssc;
        }
        throw new IllegalStateException(
                "a streaming job needs a StreamingContext, this context provides " + describe(context));
    }

    private static String describe(ContextLike context) {
        return context.getClass().getName();
    }
}
