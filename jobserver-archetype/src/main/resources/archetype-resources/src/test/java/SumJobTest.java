package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.NamedObjects;
import spark.jobserver.api.JobEnvironment;

/** Runs {@link SumJob} as the server would, {@code verify} and then {@code run}, on a local Spark without a server. */
class SumJobTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    /** What the server gives a job; this job uses none of it. */
    private static final JobEnvironment RUNTIME = new JobEnvironment() {
        @Override
        public String jobId() {
            return "sum-test";
        }

        @Override
        public NamedObjects namedObjects() {
            return null;
        }

        @Override
        public Config contextConfig() {
            return ConfigFactory.empty();
        }
    };

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[1]")
                .appName("SumJobTest")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void addsTheNumbers() {
        SumJob job = new SumJob();
        Config config = job.verify(sc, RUNTIME, ConfigFactory.parseString("input.numbers = [1, 2, 3, 4]"));
        assertEquals(10L, job.run(sc, RUNTIME, config));
    }

    @Test
    void refusesMissingNumbers() {
        SumJob job = new SumJob();
        var refused = assertThrows(IllegalArgumentException.class, () -> job.verify(sc, RUNTIME, ConfigFactory.empty()));
        assertTrue(refused.getMessage().startsWith("No input.numbers param"), refused.getMessage());
    }
}
