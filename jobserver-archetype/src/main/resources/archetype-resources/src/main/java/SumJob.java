package ${package};

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * Adds up the numbers of {@code input.numbers} (required, a list of integers) with Spark.
 *
 * <p>A job in the Java API: {@code verify} checks the configuration (an exception fails the job's
 * validation, which the client sees with a 400) and returns what {@code run} gets; the server renders
 * what {@code run} returns as JSON: {@code 10} for {@code input.numbers = [1, 2, 3, 4]}.
 *
 * <p>A class with a public no-argument constructor: the server creates one for every run.
 */
public final class SumJob implements JSparkJob<Long> {

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        try {
            config.getLongList("input.numbers");
        } catch (ConfigException e) {
            throw new IllegalArgumentException("No input.numbers param (a list of integers): " + e.getMessage(), e);
        }
        return config;
    }

    @Override
    public Long run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        List<Long> numbers = data.getLongList("input.numbers");
        if (numbers.isEmpty()) {
            return 0L;
        }
        return sc.parallelize(numbers).reduce(Long::sum);
    }
}
