package spark.jobserver.driver;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import spark.jobserver.DataFramePersister;
import spark.jobserver.NamedDataFrame;
import spark.jobserver.NamedObjects;
import spark.jobserver.NamedRddSupport;
import spark.jobserver.SparkJob;
import spark.jobserver.SparkJobInvalid;
import spark.jobserver.SparkJobValid;
import spark.jobserver.SparkJobValidation;
import spark.jobserver.SparkSessionJob;
import spark.jobserver.SparkStreamingJob;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.japi.JSessionJob;
import spark.jobserver.japi.JStreamingJob;

/**
 * Session, streaming, named-object and stream-result jobs for the driver's tests; addressed as
 * {@code spark.jobserver.driver.StyleJobs$Name}. Static fields let a test see what a job did; test code only.
 */
public final class StyleJobs {
    private StyleJobs() {}

    // ---- session

    /** Runs {@code sql} on the session; the rows come back as their toString. */
    public static final class SessionSql implements SparkSessionJob<String, List<Row>> {
        @Override
        public JobValidation<String> validate(SparkSession spark, JobEnvironment runtime, Config config) {
            return config.hasPath("sql")
                    ? JobValidation.good(config.getString("sql"))
                    : JobValidation.bad("No sql param");
        }

        @Override
        public List<Row> runJob(SparkSession spark, JobEnvironment runtime, String sql) {
            return spark.sql(sql).collectAsList();
        }
    }

    /** The Java style on a session. */
    public static final class JSessionSql extends JSessionJob<List<Row>> {
        @Override
        public List<Row> run(SparkSession spark, JobEnvironment runtime, Config data) {
            return spark.sql(data.getString("sql")).collectAsList();
        }

        @Override
        public Config verify(SparkSession spark, JobEnvironment runtime, Config config) {
            if (!config.hasPath("sql")) {
                throw new IllegalArgumentException("No sql param");
            }
            return config;
        }
    }

    /** Reports a Hadoop setting and whether the session has Hive support. */
    public static final class SessionFacts implements SparkSessionJob<Config, Map<String, String>> {
        @Override
        public JobValidation<Config> validate(SparkSession spark, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public Map<String, String> runJob(SparkSession spark, JobEnvironment runtime, Config data) {
            return Map.of(
                    "hadoop",
                            String.valueOf(
                                    spark.sparkContext().hadoopConfiguration().get("jobserver.test.setting")),
                    "catalog", spark.conf().get("spark.sql.catalogImplementation"));
        }
    }

    /** Keeps a DataFrame by name with {@link DataFramePersister}; returns its row count and storage level. */
    public static final class StoreDataFrame implements SparkSessionJob<Config, List<Object>> {
        @Override
        public JobValidation<Config> validate(SparkSession spark, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public List<Object> runJob(SparkSession spark, JobEnvironment runtime, Config data) throws Exception {
            NamedDataFrame named = runtime.namedObjects()
                    .getOrElseCreate(
                            "frame",
                            () -> new NamedDataFrame(spark.range(7).toDF(), true, StorageLevel.MEMORY_AND_DISK()),
                            new DataFramePersister());
            Dataset<Row> df = named.df();
            return List.of(df.count(), df.storageLevel().description());
        }
    }

    /** Set by {@link StartStructuredQuery}. */
    static final AtomicReference<StreamingQuery> QUERY = new AtomicReference<>();

    /** Starts a structured-streaming query that runs until stopped. */
    public static final class StartStructuredQuery implements SparkSessionJob<Config, String> {
        @Override
        public JobValidation<Config> validate(SparkSession spark, JobEnvironment runtime, Config config) {
            return JobValidation.good(config);
        }

        @Override
        public String runJob(SparkSession spark, JobEnvironment runtime, Config data) throws Exception {
            StreamingQuery query = spark.readStream()
                    .format("rate")
                    .option("rowsPerSecond", 1)
                    .load()
                    .writeStream()
                    .format("memory")
                    .queryName("rates")
                    .start();
            QUERY.set(query);
            return String.valueOf(query.isActive());
        }
    }

    // ---- streaming

    /** Batches seen by {@link CountingStream}. */
    static final AtomicInteger BATCHES = new AtomicInteger();
    /** What {@link CountingStream#runJob} returned after its context stopped. */
    static final AtomicReference<String> STREAM_ENDED = new AtomicReference<>();

    /** Legacy streaming style: counts the batches of a queue stream until the context stops. */
    public static final class CountingStream implements SparkStreamingJob {
        @Override
        public SparkJobValidation validate(StreamingContext ssc, Config config) {
            return config.hasPath("words") ? SparkJobValid.INSTANCE : new SparkJobInvalid("No words param");
        }

        @Override
        public Object runJob(StreamingContext ssc, Config jobConfig) throws InterruptedException {
            JavaStreamingContext jssc = new JavaStreamingContext(ssc);
            Queue<JavaRDD<String>> queue = new LinkedList<>();
            queue.add(jssc.sparkContext().parallelize(jobConfig.getStringList("words")));
            jssc.queueStream(queue, true).foreachRDD(rdd -> {
                rdd.count();
                BATCHES.incrementAndGet();
            });
            jssc.start();
            jssc.awaitTermination();
            STREAM_ENDED.set("stopped after " + BATCHES.get() + " batches");
            return STREAM_ENDED.get();
        }
    }

    /** Java streaming style whose first batch fails, which ends the job with the batch's error. */
    public static final class JFailingStream implements JStreamingJob<String> {
        @Override
        public String run(StreamingContext context, JobEnvironment runtime, Config data) throws Exception {
            JavaStreamingContext jssc = new JavaStreamingContext(context);
            Queue<JavaRDD<Integer>> queue = new LinkedList<>();
            queue.add(jssc.sparkContext().parallelize(List.of(1, 2, 3)));
            jssc.queueStream(queue).map(x -> x / 0).foreachRDD(rdd -> {
                rdd.count();
            });
            jssc.start();
            jssc.awaitTermination();
            return "unreachable";
        }

        @Override
        public Config verify(StreamingContext context, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    /** Reports the batch interval of its streaming context. */
    public static final class JStreamingInterval implements JStreamingJob<Long> {
        @Override
        public Long run(StreamingContext context, JobEnvironment runtime, Config data) {
            return context.graph().batchDuration().milliseconds();
        }

        @Override
        public Config verify(StreamingContext context, JobEnvironment runtime, Config config) {
            return config;
        }
    }

    // ---- named objects for legacy jobs

    /** Legacy job with the original's named RDDs: squares 1..5 from a named RDD and sums them (55). */
    public static final class CacheByName implements SparkJob, NamedRddSupport {
        private NamedObjects namedObjects;

        @Override
        public void setNamedObjects(NamedObjects namedObjects) {
            this.namedObjects = namedObjects;
        }

        @Override
        public NamedObjects namedObjects() {
            return namedObjects;
        }

        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            // Set before validation, as in the original.
            return namedObjects != null ? SparkJobValid.INSTANCE : new SparkJobInvalid("no named objects");
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) throws Exception {
            RDD<Integer> rdd = namedRdds()
                    .getOrElseCreate(
                            "squares-source",
                            () -> JavaSparkContext.fromSparkContext(sc)
                                    .parallelize(List.of(1, 2, 3, 4, 5))
                                    .rdd());
            RDD<Integer> again = namedRdds().<Integer>get("squares-source").orElseThrow();
            if (again != rdd) {
                throw new IllegalStateException("named RDD not found again");
            }
            return List.of(
                    rdd.toJavaRDD().map(x -> x * x).reduce(Integer::sum),
                    rdd.name(),
                    rdd.getStorageLevel().description());
        }
    }

    // ---- stream results

    /** Set by {@link StreamResult}'s stream. */
    static final AtomicReference<String> READ_BY = new AtomicReference<>();

    static final AtomicBoolean CLOSED = new AtomicBoolean();

    /** Returns {@code size} bytes as an InputStream that makes them as it is read. */
    public static final class StreamResult implements SparkJob {
        @Override
        public SparkJobValidation validate(SparkContext sc, Config config) {
            return SparkJobValid.INSTANCE;
        }

        @Override
        public Object runJob(SparkContext sc, Config jobConfig) {
            return new PatternStream(jobConfig.getLong("size"));
        }
    }

    /** Bytes {@code i % 251} for i in [0, size), made on demand. */
    static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            READ_BY.compareAndSet(null, Thread.currentThread().getName());
            return position < size ? (int) (position++ % 251) : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            READ_BY.compareAndSet(null, Thread.currentThread().getName());
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) (position++ % 251);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            CLOSED.set(true);
        }
    }
}
