package spark.jobserver.driver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import spark.jobserver.JavaSparkJob;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSessionJob;
import spark.jobserver.japi.JSparkJob;
import spark.jobserver.japi.JStreamingJob;

/**
 * Jobs of the Java styles for the driver's tests, written the way Java job authors write them;
 * addressed as {@code spark.jobserver.driver.JavaJobs$Name}. The Scala styles are in {@code TestJobs}.
 */
public final class JavaJobs {
    private JavaJobs() {}

    /** Says hello, with what verify added to the configuration. */
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

    /** A verify that throws. */
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

    /** A result record, rendered as a JSON object. */
    public record Point(int x, String label) {}

    /** Returns a record. */
    public static final class RecordResult implements JSparkJob<Point> {
        @Override
        public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
            return config;
        }

        @Override
        public Point run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
            return new Point(3, "three");
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
}
