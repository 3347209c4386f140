package spark.jobserver;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.apache.spark.SparkContext;

/**
 * Sleeps, then returns how long it slept: a job that holds a slot for a known time (slot limits,
 * kill and timeout tests). Legacy style.
 *
 * <p>Reads {@code sleep.time.millis} (required, milliseconds; without it the job fails validation with
 * {@code sleep.time.millis config param missing}). Returns the millis as a {@code Long}. The sleep ends
 * early, with an {@code InterruptedException}, when the job is killed.
 */
public final class SleepJob implements SparkJob {

    static final String SLEEP_KEY = "sleep.time.millis";

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        long millis;
        try {
            millis = config.getLong(SLEEP_KEY);
        } catch (ConfigException.Missing | ConfigException.WrongType e) {
            return new SparkJobInvalid("sleep.time.millis config param missing");
        }
        return millis < 0
                ? new SparkJobInvalid("sleep.time.millis must not be negative, was " + millis)
                : SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config jobConfig) throws InterruptedException {
        long millis = jobConfig.getLong(SLEEP_KEY);
        Thread.sleep(millis);
        return millis;
    }
}
