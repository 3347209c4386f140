package spark.jobserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.SparkJob;

/**
 * Shows what a job can see of its configuration: for each path in {@code paths} (a list), the value in
 * the job's config ({@code job.<path>}) and in its context's settings ({@code context.<path>}), as text,
 * or null when absent; plus {@code sparkUser}, the user Spark runs as. Used to check that secrets never
 * reach jobs.
 */
public final class ConfigEchoJob implements SparkJob<Map<String, Object>, Map<String, Object>> {

    @Override
    public JobValidation<Map<String, Object>> validate(SparkContext sc, JobEnvironment runtime, Config config) {
        List<String> paths;
        try {
            paths = config.getStringList("paths");
        } catch (ConfigException.Missing | ConfigException.WrongType e) {
            return JobValidation.bad("No paths param (a list of config paths)");
        }
        Map<String, Object> seen = new TreeMap<>();
        for (String path : paths) {
            seen.put("job." + path, value(config, path));
            seen.put("context." + path, value(runtime.contextConfig(), path));
        }
        return JobValidation.good(seen);
    }

    @Override
    public Map<String, Object> runJob(SparkContext sc, JobEnvironment runtime, Map<String, Object> seen) {
        Map<String, Object> result = new TreeMap<>(seen);
        result.put("sparkUser", sc.sparkUser());
        return result;
    }

    private static Object value(Config config, String path) {
        try {
            return config != null && config.hasPath(path)
                    ? config.getValue(path).unwrapped().toString()
                    : null;
        } catch (ConfigException e) {
            return null;
        }
    }
}
