package spark.jobserver;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Returns the values of the Spark settings named in {@code keys} (a list) as its context's {@code SparkConf}
 * has them, from whichever source they came (the context's settings, a distribution's
 * {@code spark-defaults.conf}, the driver's JVM options); a setting the context does not have is left out.
 */
public final class SparkConfJob implements JSparkJob<Map<String, String>> {

    @Override
    public Map<String, String> run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        Map<String, String> values = new LinkedHashMap<>();
        SparkConf conf = sc.getConf();
        for (String key : data.getStringList("keys")) {
            if (conf.contains(key)) {
                values.put(key, conf.get(key));
            }
        }
        return values;
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        if (!config.hasPath("keys")) {
            throw new IllegalArgumentException("keys: the Spark settings to return, a list");
        }
        return config;
    }
}
