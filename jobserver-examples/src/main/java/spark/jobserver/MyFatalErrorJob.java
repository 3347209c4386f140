package spark.jobserver;

import com.typesafe.config.Config;
import org.apache.spark.SparkContext;

/**
 * Always fails while running with a fatal {@code Error}: it throws
 * {@code OutOfMemoryError("this is a fatal error")} without actually exhausting memory, to show that
 * the job ends in ERROR and the server and context survive. Legacy style; reads no configuration.
 */
public final class MyFatalErrorJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        throw new OutOfMemoryError("this is a fatal error");
    }
}
