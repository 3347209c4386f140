package spark.jobserver.client;

/** 503: nothing was done, try later: no slot for the job (`NO SLOTS AVAILABLE`), the driver not connected, the authentication pool busy; usually with {@link #retryAfter()}. */
public class UnavailableException extends JobServerException {
    UnavailableException(Failure failure) {
        super(failure);
    }
}
