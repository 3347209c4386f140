package spark.jobserver.context;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import spark.jobserver.japi.JSparkJob;

/**
 * The default context factory: a plain {@link SparkContext}, with the context setting
 * {@code hadoop { k = v }} copied into its Hadoop configuration. Runs legacy
 * ({@link spark.jobserver.SparkJob}, including {@link spark.jobserver.JavaSparkJob}), typed
 * ({@link spark.jobserver.api.SparkJob}) and Java ({@link JSparkJob}) jobs.
 */
public class DefaultSparkContextFactory implements SparkContextFactory {

    @Override
    public ContextLike makeContext(SparkConf sparkConf, Config contextConfig, String contextName) {
        SparkContext sc = new SparkContext(sparkConf);
        try {
            copyHadoopSettings(contextConfig, sc.hadoopConfiguration());
        } catch (RuntimeException e) {
            // The caller never sees the context, so nobody else would stop it.
            sc.stop();
            throw e;
        }
        return new RunningContext(sc, sc, sc::stop, this::isValidJob);
    }

    /** Whether contexts of this factory can run {@code job}. */
    protected boolean isValidJob(Object job) {
        return job instanceof spark.jobserver.SparkJob
                || job instanceof spark.jobserver.api.SparkJob
                || job instanceof JSparkJob;
    }

    /**
     * Copies the context setting {@code hadoop} (an object of Hadoop keys) into {@code hadoop}.
     *
     * @throws IllegalArgumentException when {@code hadoop} is set but is not an object
     */
    static void copyHadoopSettings(Config contextConfig, Configuration hadoop) {
        if (!contextConfig.hasPath("hadoop")) {
            return;
        }
        Config settings;
        try {
            settings = contextConfig.getConfig("hadoop");
        } catch (com.typesafe.config.ConfigException.WrongType e) {
            throw new IllegalArgumentException("context setting 'hadoop' must be an object of Hadoop settings", e);
        }
        for (Map.Entry<String, ConfigValue> e : settings.entrySet()) {
            // entrySet keys are HOCON paths: "a.b" for nested keys, "\"a.b\"" for quoted ones; Hadoop wants a.b.
            String key = String.join(".", ConfigUtil.splitPath(e.getKey()));
            hadoop.set(key, String.valueOf(e.getValue().unwrapped()));
        }
    }
}
