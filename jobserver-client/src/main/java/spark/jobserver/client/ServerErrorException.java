package spark.jobserver.client;

/** A 5xx other than 503: the server failed (a context that could not start, a sync job's timeout). */
public class ServerErrorException extends JobServerException {
    ServerErrorException(Failure failure) {
        super(failure);
    }
}
