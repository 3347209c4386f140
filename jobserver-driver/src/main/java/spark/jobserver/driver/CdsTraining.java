package spark.jobserver.driver;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A short run of what every driver does at start: create a Spark context (and a session), run a
 * tiny job, stop. The server runs it once per JDK and class path with
 * {@code -XX:ArchiveClassesAtExit} to build the class-data sharing archive that makes later driver
 * JVMs start faster. Never runs on the path of a request.
 */
public final class CdsTraining {
    private CdsTraining() {}

    public static void main(String[] args) {
        SparkConf conf = new SparkConf()
                .setIfMissing("spark.master", "local[1]")
                .setIfMissing("spark.app.name", "jobserver-cds-training")
                .set("spark.ui.enabled", "false");
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        try (JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext())) {
            long words = jsc.parallelize(List.of("a b c a b see".split(" ")))
                    .countByValue()
                    .size();
            session.sql("select 40 + 2 as answer").collectAsList();
            System.out.println("CDS training run done (" + words + " distinct words)");
        } finally {
            session.stop();
        }
        System.exit(0);
    }
}
