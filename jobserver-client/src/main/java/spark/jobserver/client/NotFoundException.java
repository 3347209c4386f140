package spark.jobserver.client;

/** 404: no such binary, context, job, class or file; the message names it. */
public class NotFoundException extends JobServerException {
    NotFoundException(Failure failure) {
        super(failure);
    }
}
