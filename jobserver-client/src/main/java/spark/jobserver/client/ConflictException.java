package spark.jobserver.client;

/** 409: a context stop in progress, or the same Idempotency-Key still in progress (then with {@link #retryAfter()}). */
public class ConflictException extends JobServerException {
    ConflictException(Failure failure) {
        super(failure);
    }
}
