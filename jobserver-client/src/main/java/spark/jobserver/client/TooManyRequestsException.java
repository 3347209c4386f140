package spark.jobserver.client;

/** 429: too many requests; {@link #retryAfter()} says when to try again. */
public class TooManyRequestsException extends JobServerException {
    TooManyRequestsException(Failure failure) {
        super(failure);
    }
}
