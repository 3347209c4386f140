package spark.jobserver.client;

/** 422: the Idempotency-Key was used before for another request. */
public class IdempotencyKeyReusedException extends JobServerException {
    IdempotencyKeyReusedException(Failure failure) {
        super(failure);
    }
}
