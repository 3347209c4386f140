package spark.jobserver.server.idempotency;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The idempotency keys in the shared database (table {@code idempotency_keys}). The row's primary key is the
 * scoped key's hash, so of two servers inserting the same key at once exactly one wins; every other change is
 * a compare-and-set on the row's owner, so that a server that lost a row (taken over, pruned) cannot overwrite it.
 */
public interface IdempotencyStore {

    enum State {
        /** The first request is running on {@link Entry#owner()}. */
        IN_PROGRESS,
        /** The first request's answer is stored. */
        DONE
    }

    /** A stored answer: what a replay writes back. */
    record Answer(int status, String contentType, String body) {
        public Answer {
            requireNonNull(contentType, "contentType is null");
            requireNonNull(body, "body is null");
        }
    }

    /** One key; {@code answer} is null while {@link State#IN_PROGRESS}. */
    record Entry(String keyHash, String fingerprint, State state, String owner, Instant createdAt, Answer answer) {
        public Entry {
            requireNonNull(keyHash, "keyHash is null");
            requireNonNull(fingerprint, "fingerprint is null");
            requireNonNull(state, "state is null");
            requireNonNull(owner, "owner is null");
            requireNonNull(createdAt, "createdAt is null");
        }
    }

    /** Records a new key IN_PROGRESS for {@code owner}; false when the key is there already. */
    boolean insert(String keyHash, String fingerprint, String owner, Instant createdAt);

    Optional<Entry> find(String keyHash);

    /** Gives an IN_PROGRESS key of {@code deadOwner} to {@code newOwner}; false when it is no longer so. */
    boolean takeOver(String keyHash, String deadOwner, String newOwner);

    /** Stores the answer of {@code owner}'s IN_PROGRESS key; false when the key is no longer {@code owner}'s. */
    boolean complete(String keyHash, String owner, Answer answer);

    /** Deletes {@code owner}'s IN_PROGRESS key, so that the request may be sent again; false when it was not so. */
    boolean release(String keyHash, String owner);

    /** Deletes the key when it was created before {@code cutoff}; false when it was not (or is gone). */
    boolean deleteIfCreatedBefore(String keyHash, Instant cutoff);

    /** Deletes every key created before {@code cutoff}; how many. */
    int deleteCreatedBefore(Instant cutoff);
}
