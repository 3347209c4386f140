package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaDStream;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * A streaming job that runs until its context stops. It feeds
 * {@code streaming.test.job.maxIterations} (default 1) small batches of words into a queue stream,
 * each word taking {@code streaming.test.job.totalDelaySeconds} (default 0) to process, and prints
 * each batch's count of distinct words to the driver's log when {@code streaming.test.job.printCount}
 * (default true). Legacy streaming style; needs a context made by
 * {@code spark.jobserver.context.StreamingContextFactory}.
 */
public final class StreamingTestJob implements SparkStreamingJob {
    private static final ClassTag<String> STRING = ClassTag$.MODULE$.apply(String.class);

    @Override
    public SparkJobValidation validate(StreamingContext ssc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(StreamingContext ssc, Config config) throws InterruptedException {
        int maxIterations = intOr(config, "streaming.test.job.maxIterations", 1);
        int delaySeconds = intOr(config, "streaming.test.job.totalDelaySeconds", 0);
        boolean printCount =
                !config.hasPath("streaming.test.job.printCount") || config.getBoolean("streaming.test.job.printCount");

        // Spark's own queue: the Java API copies a java.util.Queue once, so later batches would be lost.
        scala.collection.mutable.Queue<RDD<String>> queue = new scala.collection.mutable.Queue<>(16);
        JavaDStream<String> lines = JavaDStream.fromDStream(ssc.queueStream(queue, true, STRING), STRING);
        lines.flatMap(line -> {
                    Thread.sleep(delaySeconds * 1000L);
                    return List.of(line.split(" ")).iterator();
                })
                .countByValue()
                .foreachRDD(rdd -> {
                    long count = rdd.count();
                    if (printCount) {
                        System.out.println("StreamingTestJob batch: " + count + " distinct words");
                    }
                });
        ssc.start();
        for (int i = 0; i < maxIterations; i++) {
            RDD<String> batch = JavaSparkContext.fromSparkContext(ssc.sparkContext())
                    .parallelize(List.of("123", "test", "test2"), 1)
                    .rdd();
            synchronized (queue) {
                queue.enqueue(batch);
            }
            Thread.sleep(100);
        }
        ssc.awaitTermination();
        return "stopped";
    }

    private static int intOr(Config config, String path, int whenAbsent) {
        return config.hasPath(path) ? config.getInt(path) : whenAbsent;
    }
}
