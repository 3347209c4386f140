package spark.jobserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.SparkJob;

/**
 * {@link WordCountExample} in the typed style: {@code validate} turns {@code input.string} into the
 * list of words (split on single spaces), {@code runJob} counts them with Spark.
 *
 * <p>Reads {@code input.string} (required; without it the job fails validation with
 * {@code No input.string param}). Returns a word → count map sorted by word.
 */
public final class WordCountExampleNewApi implements SparkJob<List<String>, Map<String, Long>> {

    @Override
    public JobValidation<List<String>> validate(SparkContext sc, JobEnvironment runtime, Config config) {
        try {
            return JobValidation.good(List.of(config.getString("input.string").split(" ")));
        } catch (ConfigException.Missing | ConfigException.WrongType e) {
            return JobValidation.bad("No input.string param");
        }
    }

    @Override
    public Map<String, Long> runJob(SparkContext sc, JobEnvironment runtime, List<String> words) {
        Map<String, Long> counts =
                JavaSparkContext.fromSparkContext(sc).parallelize(words).countByValue();
        return new TreeMap<>(counts);
    }
}
