package spark.jobserver.context;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;

/**
 * Makes the Spark context of a job server context. Chosen by the context setting
 * {@code context-factory}; a custom factory is a public class with a no-argument constructor.
 */
public interface SparkContextFactory {

    /**
     * Creates the context.
     *
     * @param sparkConf the Spark configuration derived from the context settings
     * @param contextConfig the effective context settings
     * @param contextName the context's name
     */
    ContextLike makeContext(SparkConf sparkConf, Config contextConfig, String contextName) throws Exception;
}
