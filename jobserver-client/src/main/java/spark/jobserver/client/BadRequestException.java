package spark.jobserver.client;

/** 400: the request was refused as malformed or invalid (bad parameters, an unparsable config, a context name that does not start with a letter, ...). */
public class BadRequestException extends JobServerException {
    BadRequestException(Failure failure) {
        super(failure);
    }
}
