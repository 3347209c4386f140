package spark.jobserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Counts the words of {@code input.string} (split on single spaces) with Spark, the job of the README
 * walk-through. Legacy style.
 *
 * <p>Reads {@code input.string} (required; without it the job fails validation with
 * {@code No input.string config param}). Returns a word → count map sorted by word, for example
 * {@code {"a":2,"b":2,"c":1,"see":1}} for {@code "a b c a b see"}.
 */
public final class WordCountExample implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        try {
            config.getString("input.string");
            return SparkJobValid.INSTANCE;
        } catch (ConfigException.Missing | ConfigException.WrongType e) {
            return new SparkJobInvalid("No input.string config param");
        }
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Map<String, Long> counts = jsc.parallelize(
                        Arrays.asList(jobConfig.getString("input.string").split(" ")))
                .countByValue();
        // Sorted so clients (and tests) see the same key order on every run.
        return new TreeMap<>(counts);
    }
}
