package spark.jobserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.api.JobValidation;
import spark.jobserver.api.SparkJob;

/**
 * Estimates Pi by throwing random darts at the unit square, in small Spark jobs, one after the other,
 * until a given time has passed; used to have a job that stays RUNNING for a while (status and kill
 * tests). Typed style.
 *
 * <p>Reads {@code stress.test.longpijob.duration}: how long to run, in whole seconds (default 5). Returns
 * the estimate as a {@code Double}, about 3.14. At least one batch always runs, so the result is a
 * number even for a duration of 0.
 *
 * <p>Stops promptly when killed: the Spark exception of a cancelled job group propagates, and the
 * thread's interrupt flag is checked between batches.
 */
public final class LongPiJob implements SparkJob<Duration, Double> {

    static final String DURATION_KEY = "stress.test.longpijob.duration";
    private static final Duration DEFAULT_DURATION = Duration.ofSeconds(5);
    private static final int SLICES = 4;
    private static final int ELEMENTS = 1000;
    private static final int DARTS_PER_ELEMENT = 100;

    @Override
    public JobValidation<Duration> validate(SparkContext sc, JobEnvironment runtime, Config config) {
        if (!config.hasPath(DURATION_KEY)) {
            return JobValidation.good(DEFAULT_DURATION);
        }
        try {
            int seconds = config.getInt(DURATION_KEY);
            if (seconds < 0) {
                return JobValidation.bad(DURATION_KEY + " must not be negative, was " + seconds);
            }
            return JobValidation.good(Duration.ofSeconds(seconds));
        } catch (ConfigException.WrongType e) {
            return JobValidation.bad(DURATION_KEY + " must be a whole number of seconds");
        }
    }

    @Override
    public Double runJob(SparkContext sc, JobEnvironment runtime, Duration duration) throws InterruptedException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        List<Integer> elements = IntStream.range(0, ELEMENTS).boxed().toList();
        long deadline = System.nanoTime() + duration.toNanos();
        long hits = 0;
        long darts = 0;
        do {
            if (Thread.interrupted()) {
                throw new InterruptedException("LongPiJob " + runtime.jobId() + " interrupted");
            }
            JavaRDD<Integer> batch = jsc.parallelize(elements, SLICES);
            hits += batch.map(i -> hitsOf(DARTS_PER_ELEMENT)).reduce(Long::sum);
            darts += (long) ELEMENTS * DARTS_PER_ELEMENT;
        } while (System.nanoTime() - deadline < 0);
        return 4.0 * hits / darts;
    }

    /** How many of {@code darts} random points of the unit square fall inside the quarter circle. */
    private static long hitsOf(int darts) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long hits = 0;
        for (int i = 0; i < darts; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                hits++;
            }
        }
        return hits;
    }
}
