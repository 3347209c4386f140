package spark.jobserver;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Loads the class {@code EmptyClass} three times through the job's own class loader and counts the
 * names on the cluster: {@code {"EmptyClass":3}}. {@code EmptyClass} is not in this jar: give the jar
 * that holds it in {@code dependent-jar-uris} (of the job or of its context), otherwise the job ends in
 * {@code ERROR} with a {@code ClassNotFoundException}. Legacy style; the lower-case class name is the
 * original's.
 */
@SuppressWarnings("checkstyle:TypeName")
public final class jobJarDependenciesJob implements SparkJob {

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) throws ClassNotFoundException {
        List<String> loaded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            loaded.add(getClass().getClassLoader().loadClass("EmptyClass").getName());
        }
        Map<String, Long> counts =
                JavaSparkContext.fromSparkContext(sc).parallelize(loaded).countByValue();
        return counts;
    }
}
