package spark.jobserver.python;

import com.typesafe.config.Config;
import org.apache.spark.SparkConf;

/**
 * The reference's Python factory: a {@code SparkSession} (Hive as for {@code SessionContextFactory}),
 * which Python jobs receive as a {@code pyspark.sql.SparkSession}. Context settings:
 * {@code python.executable} (default {@code python3}), {@code python.paths} (added to PYTHONPATH) and ours
 * {@code python.start-timeout} (default 60 s).
 */
public class PythonSessionContextFactory implements PythonContextFactory {
    @Override
    public PythonContext makeContext(SparkConf sparkConf, Config config, String contextName) {
        return PythonContexts.make(PythonContextKind.SESSION, sparkConf, config, contextName);
    }
}
