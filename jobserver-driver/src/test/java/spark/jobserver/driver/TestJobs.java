package spark.jobserver.driver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.DataFileCache;
import spark.jobserver.JavaSparkJob;
import spark.jobserver.NamedObject;
import spark.jobserver.NamedObjectPersister;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobInvalid;
import spark.jobserver.SparkJobValid;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.japi.JSparkJob;

/** Jobs of every style for the driver's tests; addressed as {@code spark.jobserver.driver.TestJobs$Name}. */
public final class TestJobs {
    private TestJobs() {}

    static String name(Class<?> job) {
        return job.getName();
    }

    /** Legacy style: doubles 1, 2, 3 on the cluster; needs {@code input}. */
    public static final class Legacy implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return config.hasPath("input") ? SparkJobValid.INSTANCE : new SparkJobInvalid("No input param");
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return JavaSparkContext.fromSparkContext(sc)
                    .parallelize(List.of(1, 2, 3))
                    .map(x -> x * 2)
                    .collect();
        }
    }

    /** Typed style: counts the words of {@code input.string}. */
    public static final class Typed implements spark.jobserver.api.SparkJob<String, Map<String, Long>> {
        @Override
        public JobValidation<String> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return config.hasPath("input.string")
                    ? JobValidation.good(config.getString("input.string"))
                    : JobValidation.bad("No input.string param");
        }

        @Override
        public Map<String, Long> runJob(SparkContext sc, JobEnvironment runtime, String data) {
            return JavaSparkContext.fromSparkContext(sc)
                    .parallelize(Arrays.asList(data.split(" ")))
                    .countByValue();
        }
    }

    /** Java style: says hello, with what verify added to the configuration. */
    public static final class Java implements JSparkJob<String> {
        @Override
        public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
            return config.withValue("verified", ConfigValueFactory.fromAnyRef("yes"));
        }

        @Override
        public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
            return "Hi! verified=" + data.getString("verified") + " master=" + sc.master();
        }
    }

    /** Java style whose verify throws. */
    public static final class FailingVerify implements JSparkJob<String> {
        @Override
        public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
            throw new IllegalArgumentException("fail");
        }

        @Override
        public String run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
            return "unreachable";
        }
    }

    /** Typed style whose validate throws. */
    public static final class ThrowingValidate implements spark.jobserver.api.SparkJob<Config, Object> {
        @Override
        public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            throw new IllegalStateException("validate exploded");
        }

        @Override
        public Object runJob(SparkContext sc, JobEnvironment runtime, Config data) {
            return null;
        }
    }

    /** The legacy Java base class: refuses without {@code input}, else counts on the cluster. */
    public static final class LegacyJava extends JavaSparkJob {
        @Override
        public String invalidate(JavaSparkContext jsc, Config config) {
            return config.hasPath("input") ? null : "No input param";
        }

        @Override
        public Object runJob(JavaSparkContext jsc, Config jobConfig) {
            return jsc.parallelize(List.of(1, 2, 3, 4)).count();
        }
    }

    /** Throws IllegalArgumentException("Foobar"). */
    public static final class Failing implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            throw new IllegalArgumentException("Foobar");
        }
    }

    /** Throws an OutOfMemoryError, which must fail the job and nothing else. */
    public static final class Fatal implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            throw new OutOfMemoryError("this job is too hungry");
        }
    }

    /** Sleeps {@code sleep.time.millis}, interruptibly, and returns the millis. */
    public static final class Sleep implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) throws InterruptedException {
            long millis = jobConfig.getLong("sleep.time.millis");
            Thread.sleep(millis);
            return millis;
        }
    }

    /** Set by {@link Stubborn} when it returns despite the interrupt; test code only. */
    static final CountDownLatch STUBBORN_RETURNED = new CountDownLatch(1);
    /** What happened to the Spark job {@link Stubborn} tried after its kill. */
    static final AtomicReference<String> STUBBORN_SPARK_JOB = new AtomicReference<>();

    /**
     * Ignores interrupts, then still tries to use the cluster and returns a result anyway: a kill must
     * still be the job's last word, and its later Spark jobs must be cancelled.
     */
    public static final class Stubborn implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(jobConfig.getLong("sleep.time.millis"));
            while (System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    // deliberately ignored
                }
            }
            try {
                JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1, 2)).count();
                STUBBORN_SPARK_JOB.set("ran");
            } catch (Exception e) { // SparkException is checked, but Scala code throws it undeclared
                STUBBORN_SPARK_JOB.set("failed: " + e.getMessage());
            }
            STUBBORN_RETURNED.countDown();
            return "done anyway";
        }
    }

    /** Runs a Spark job whose tasks sleep a minute: only a cancelled job group ends it early. */
    public static final class SlowSpark implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return JavaSparkContext.fromSparkContext(sc)
                    .parallelize(List.of(1), 1)
                    .map(x -> {
                        Thread.sleep(60_000);
                        return x;
                    })
                    .collect();
        }
    }

    /** Reports what the job sees of its configuration and environment. */
    public static final class Echo implements spark.jobserver.api.SparkJob<Config, Object> {
        @Override
        public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public Object runJob(SparkContext sc, JobEnvironment runtime, Config data) {
            return Map.of(
                    "jobId", runtime.jobId(),
                    "context", runtime.contextConfig().getString("context.name"),
                    "posted", data.getString("a"),
                    "fallback", data.getString("spark.jobserver.flag"),
                    "resolved", data.getString("b"),
                    "dataFileCache", runtime instanceof DataFileCache,
                    "loader",
                            String.valueOf(Thread.currentThread()
                                    .getContextClassLoader()
                                    .getName()));
        }
    }

    /** Reads the data file named by {@code file} through the environment. */
    public static final class DataFile implements spark.jobserver.api.SparkJob<String, Object> {
        @Override
        public JobValidation<String> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return JobValidation.good(config.getString("file"));
        }

        @Override
        public Object runJob(SparkContext sc, JobEnvironment runtime, String path) throws Exception {
            File file = ((DataFileCache) runtime).getDataFile(path);
            return java.nio.file.Files.readString(file.toPath());
        }
    }

    /** A plain value kept by name. */
    public record Box(int value) implements NamedObject {}

    /** Keeps nothing anywhere; named-object tests only need the calls. */
    public static final class BoxPersister implements NamedObjectPersister<Box> {
        @Override
        public void persist(Box namedObject, String name) {}

        @Override
        public void unpersist(Box namedObject) {}
    }

    /** Creates (or finds) the named object {@code box} and returns the names and its value. */
    public static final class Named implements spark.jobserver.api.SparkJob<Config, Object> {
        @Override
        public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public Object runJob(SparkContext sc, JobEnvironment runtime, Config data) throws Exception {
            Box box = runtime.namedObjects()
                    .getOrElseCreate("box", () -> new Box(data.getInt("value")), new BoxPersister());
            return List.of(runtime.namedObjects().getNames(), box.value());
        }
    }

    /** A result record, rendered as a JSON object. */
    public record Point(int x, String label) {}

    /** Returns a record. */
    public static final class RecordResult implements spark.jobserver.api.SparkJob<Config, Point> {
        @Override
        public JobValidation<Config> validate(SparkContext sc, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public Point runJob(SparkContext sc, JobEnvironment runtime, Config data) {
            return new Point(3, "three");
        }
    }

    /** Stands for a Scala {@code object}: the job is its {@code MODULE$}, one instance for every run. */
    @SuppressWarnings("checkstyle:TypeName")
    public static final class ObjectJob$ implements SparkJob {
        public static final ObjectJob$ MODULE$ = new ObjectJob$();

        private ObjectJob$() {}

        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return System.identityHashCode(this);
        }
    }

    /** Not a job at all. */
    public static final class NotAJob {}

    /** A job without a usable constructor. */
    public static final class NoDefaultConstructor implements SparkJob {
        public NoDefaultConstructor(String unused) {}

        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return null;
        }
    }

    /** A job whose class cannot be initialized. */
    public static final class BrokenInit implements SparkJob {
        static final int VALUE = Integer.parseInt("not a number");

        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return VALUE;
        }
    }
}
