package spark.jobserver;

/**
 * The outcome of a legacy {@link SparkJob#validate}: {@link SparkJobValid#INSTANCE} or a
 * {@link SparkJobInvalid} carrying the reason.
 */
public sealed interface SparkJobValidation permits SparkJobValid, SparkJobInvalid {

    /** The first invalid of the two, or valid when both are. */
    default SparkJobValidation and(SparkJobValidation other) {
        return this instanceof SparkJobInvalid ? this : other;
    }

    /** Whether the job may run. */
    default boolean isValid() {
        return this instanceof SparkJobValid;
    }
}
