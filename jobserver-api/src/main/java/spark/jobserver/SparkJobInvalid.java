package spark.jobserver;

import static java.util.Objects.requireNonNull;

/**
 * The job's input is not acceptable; the server answers {@code 400 VALIDATION FAILED} with the reason.
 *
 * @param reason a sentence saying what is wrong
 */
public record SparkJobInvalid(String reason) implements SparkJobValidation {
    public SparkJobInvalid {
        requireNonNull(reason, "reason is null");
    }

    /** Renders as the original project did, e.g. {@code SparkJobInvalid(No input.string config param)}. */
    @Override
    public String toString() {
        return "SparkJobInvalid(" + reason + ")";
    }
}
