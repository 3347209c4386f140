package spark.jobserver.client;

/** 401: no credentials, or wrong ones. */
public class UnauthorizedException extends JobServerException {
    UnauthorizedException(Failure failure) {
        super(failure);
    }
}
