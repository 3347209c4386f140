package spark.jobserver.python;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;

/**
 * Ours: a plain {@code SparkContext} (with the context's {@code hadoop} settings, as the default factory),
 * which Python jobs receive as a {@code pyspark.SparkContext}; the settings of
 * {@link PythonSessionContextFactory} apply.
 */
public class PythonSparkContextFactory implements PythonContextFactory {
    @Override
    public PythonContext makeContext(SparkConf sparkConf, Config config, String contextName) {
        return PythonContexts.make(PythonContextKind.CONTEXT, sparkConf, config, contextName);
    }
}
