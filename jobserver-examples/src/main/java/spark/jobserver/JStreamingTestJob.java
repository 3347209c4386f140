package spark.jobserver;

import com.typesafe.config.Config;
import java.util.LinkedList;
import java.util.List;
import java.util.Queue;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JStreamingJob;

/**
 * A Java streaming job that counts the values of one small batch and then runs until its context
 * stops; returns {@code 1} then, or {@code -1} when interrupted. Needs a context made by
 * {@code spark.jobserver.context.JavaStreamingContextFactory}.
 */
// DStreams are deprecated in Spark 4, but JStreamingJob is part of the original's API.
@SuppressWarnings("deprecation")
public final class JStreamingTestJob implements JStreamingJob<Integer> {

    @Override
    public Integer run(StreamingContext context, JobEnvironment runtime, Config data) {
        JavaStreamingContext jssc = new JavaStreamingContext(context);
        Queue<JavaRDD<Integer>> queue = new LinkedList<>();
        queue.add(jssc.sparkContext().parallelize(List.of(1, 2, 3, 4, 5)));
        jssc.queueStream(queue).countByValue().foreachRDD(rdd -> {
            rdd.collect();
        });
        jssc.start();
        try {
            jssc.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
        return 1;
    }

    @Override
    public Config verify(StreamingContext context, JobEnvironment runtime, Config config) {
        return config;
    }
}
