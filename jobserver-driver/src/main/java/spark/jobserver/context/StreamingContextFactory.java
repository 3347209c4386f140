package spark.jobserver.context;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.StreamingContext;
import spark.jobserver.SparkStreamingJob;

/**
 * Makes a Spark Streaming {@link StreamingContext} and runs {@link SparkStreamingJob}s in it. Context
 * settings: {@code streaming.batch_interval} (milliseconds, default 1000),
 * {@code streaming.stopGracefully} (default true: stopping waits for the batches received so far) and
 * {@code streaming.stopSparkContext} (default true); {@code hadoop { k = v }} goes into the Hadoop
 * configuration. Contexts of this factory stop after a failed job unless
 * {@code stop-context-on-job-error = false}.
 */
public class StreamingContextFactory implements SparkContextFactory {

    @Override
    public ContextLike makeContext(SparkConf sparkConf, Config contextConfig, String contextName) {
        long interval = longSetting(contextConfig, "streaming.batch_interval", 1000);
        if (interval <= 0) {
            throw new IllegalArgumentException(
                    "streaming.batch_interval must be a positive number of milliseconds, not " + interval);
        }
        boolean stopGracefully = booleanSetting(contextConfig, "streaming.stopGracefully", true);
        boolean stopSparkContext = booleanSetting(contextConfig, "streaming.stopSparkContext", true);
        StreamingContext ssc = new StreamingContext(sparkConf, Durations.milliseconds(interval));
        try {
            DefaultSparkContextFactory.copyHadoopSettings(
                    contextConfig, ssc.sparkContext().hadoopConfiguration());
        } catch (RuntimeException e) {
            ssc.stop(true, false);
            throw e;
        }
        return new RunningContext(
                ssc, ssc.sparkContext(), () -> ssc.stop(stopSparkContext, stopGracefully), this::isValidJob);
    }

    /** Whether contexts of this factory can run {@code job}. */
    protected boolean isValidJob(Object job) {
        return job instanceof SparkStreamingJob;
    }

    private static long longSetting(Config config, String path, long whenAbsent) {
        try {
            return config.hasPath(path) ? config.getLong(path) : whenAbsent;
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            throw new IllegalArgumentException(path + " must be a number of milliseconds: " + e.getMessage(), e);
        }
    }

    private static boolean booleanSetting(Config config, String path, boolean whenAbsent) {
        try {
            return config.hasPath(path) ? config.getBoolean(path) : whenAbsent;
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            throw new IllegalArgumentException(path + " must be true or false: " + e.getMessage(), e);
        }
    }
}
