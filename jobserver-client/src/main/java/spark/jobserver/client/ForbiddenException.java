package spark.jobserver.client;

/** 403: the user lacks the permission, or the server refuses (a binary in use by a running job). */
public class ForbiddenException extends JobServerException {
    ForbiddenException(Failure failure) {
        super(failure);
    }
}
