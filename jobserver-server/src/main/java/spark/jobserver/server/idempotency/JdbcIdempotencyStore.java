package spark.jobserver.server.idempotency;

import java.time.Instant;
import java.util.Optional;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;
import spark.jobserver.server.store.StoreException;

/** {@link IdempotencyStore} over JDBC: the same SQL on H2, PostgreSQL and MySQL/MariaDB. */
public final class JdbcIdempotencyStore implements IdempotencyStore {
    private static final int MAX_CONTENT_TYPE = 255;
    private final Jdbc jdbc;

    public JdbcIdempotencyStore(Database database) {
        this.jdbc = new Jdbc(database);
    }

    @Override
    public boolean insert(String keyHash, String fingerprint, String owner, Instant createdAt) {
        try {
            jdbc.update(
                    "INSERT INTO idempotency_keys (key_hash, fingerprint, state, instance_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    keyHash,
                    fingerprint,
                    State.IN_PROGRESS.name(),
                    owner,
                    createdAt.toEpochMilli());
            return true;
        } catch (StoreException e) {
            if (Jdbc.isConstraintViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<Entry> find(String keyHash) {
        return jdbc.queryOne(
                "SELECT key_hash, fingerprint, state, instance_id, created_at, status, content_type, body"
                        + " FROM idempotency_keys WHERE key_hash = ?",
                rs -> {
                    State state = State.valueOf(rs.getString("state"));
                    Answer answer = state == State.DONE
                            ? new Answer(rs.getInt("status"), rs.getString("content_type"), rs.getString("body"))
                            : null;
                    return new Entry(
                            rs.getString("key_hash"),
                            rs.getString("fingerprint"),
                            state,
                            rs.getString("instance_id"),
                            Instant.ofEpochMilli(rs.getLong("created_at")),
                            answer);
                },
                keyHash);
    }

    @Override
    public boolean takeOver(String keyHash, String deadOwner, String newOwner) {
        return oneRow(
                "UPDATE idempotency_keys SET instance_id = ? WHERE key_hash = ? AND instance_id = ? AND state = ?",
                newOwner,
                keyHash,
                deadOwner,
                State.IN_PROGRESS.name());
    }

    @Override
    public boolean complete(String keyHash, String owner, Answer answer) {
        String contentType = answer.contentType().length() > MAX_CONTENT_TYPE
                ? answer.contentType().substring(0, MAX_CONTENT_TYPE)
                : answer.contentType();
        return oneRow(
                "UPDATE idempotency_keys SET state = ?, status = ?, content_type = ?, body = ?"
                        + " WHERE key_hash = ? AND instance_id = ? AND state = ?",
                State.DONE.name(),
                answer.status(),
                contentType,
                answer.body(),
                keyHash,
                owner,
                State.IN_PROGRESS.name());
    }

    @Override
    public boolean release(String keyHash, String owner) {
        return oneRow(
                "DELETE FROM idempotency_keys WHERE key_hash = ? AND instance_id = ? AND state = ?",
                keyHash,
                owner,
                State.IN_PROGRESS.name());
    }

    @Override
    public boolean deleteIfCreatedBefore(String keyHash, Instant cutoff) {
        return oneRow(
                "DELETE FROM idempotency_keys WHERE key_hash = ? AND created_at < ?", keyHash, cutoff.toEpochMilli());
    }

    @Override
    public int deleteCreatedBefore(Instant cutoff) {
        return jdbc.update("DELETE FROM idempotency_keys WHERE created_at < ?", cutoff.toEpochMilli());
    }

    /** Runs a change of one key's row; whether it changed it (its compare-and-set held). */
    private boolean oneRow(String sql, Object... args) {
        return jdbc.update(sql, args) == 1;
    }
}
