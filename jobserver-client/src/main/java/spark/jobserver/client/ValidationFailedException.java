package spark.jobserver.client;

/** 400 `VALIDATION FAILED`: the job's own validation refused its configuration; {@link #serverMessage()} is its reason. */
public class ValidationFailedException extends BadRequestException {
    ValidationFailedException(Failure failure) {
        super(failure);
    }
}
