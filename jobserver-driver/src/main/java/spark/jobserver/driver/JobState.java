package spark.jobserver.driver;

/**
 * Where a job is in its life inside the driver. Each terminal state corresponds to the one event the
 * server gets as the job's outcome.
 */
enum JobState {
    /** Accepted into a slot; binaries and class are being loaded. */
    LOADING,
    /** The job's validation runs. */
    VALIDATING,
    /** Validation passed and {@code JobStarted} was sent; the job's code runs. */
    RUNNING,
    /** Refused before any job code ran ({@code JobRejected}). */
    REJECTED,
    /** Its validation refused the input ({@code JobValidationFailed}). */
    VALIDATION_FAILED,
    /** Returned a result ({@code JobFinished}). */
    FINISHED,
    /** Threw ({@code JobFailed}). */
    FAILED,
    /** Cancelled by a kill or a context stop ({@code JobKilled}). */
    KILLED;

    boolean isTerminal() {
        return switch (this) {
            case LOADING, VALIDATING, RUNNING -> false;
            case REJECTED, VALIDATION_FAILED, FINISHED, FAILED, KILLED -> true;
        };
    }

    /** Whether the lifecycle allows going from this state to {@code next}. */
    boolean canMoveTo(JobState next) {
        return switch (this) {
            case LOADING -> next == VALIDATING || next == REJECTED || next == FAILED || next == KILLED;
            case VALIDATING -> next == RUNNING || next == VALIDATION_FAILED || next == FAILED || next == KILLED;
            case RUNNING -> next == FINISHED || next == FAILED || next == KILLED;
            case REJECTED, VALIDATION_FAILED, FINISHED, FAILED, KILLED -> false;
        };
    }
}
