package spark.jobserver.server.store;

/** The database failed. Mapped to a 500 reply. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
