package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Doubles 1, 2 and 3 with Spark and returns {@code [2,4,6]} as an {@code int[]}: a quick job for
 * checking that a context runs work at all. Legacy style; reads no configuration.
 */
public final class VeryShortDoubleJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) {
        return JavaSparkContext.fromSparkContext(sc).parallelize(List.of(1, 2, 3)).map(x -> x * 2).collect().stream()
                .mapToInt(Integer::intValue)
                .toArray();
    }
}
