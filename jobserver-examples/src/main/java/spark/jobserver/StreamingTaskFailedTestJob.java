package spark.jobserver;

import com.typesafe.config.Config;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * A streaming job whose first batch fails (a division by zero in a task): the job ends in
 * {@code ERROR} with the batch's error, and its context stops, since streaming contexts stop after a
 * failed job unless {@code stop-context-on-job-error = false}. Legacy streaming style.
 */
public final class StreamingTaskFailedTestJob implements SparkStreamingJob {

    @Override
    public SparkJobValidation validate(StreamingContext ssc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(StreamingContext ssc, Config config) throws InterruptedException {
        JavaStreamingContext jssc = new JavaStreamingContext(ssc);
        Queue<JavaRDD<String>> queue = new LinkedList<>();
        queue.add(jssc.sparkContext().parallelize(List.of("123", "test", "test2")));
        jssc.queueStream(queue)
                .flatMap(line -> {
                    int zero = line.length() - line.length();
                    return List.of(line.split(" ")[1 / zero]).iterator();
                })
                .countByValue()
                .foreachRDD(rdd -> {
                    rdd.count();
                });
        jssc.start();
        jssc.awaitTermination();
        return "stopped";
    }
}
