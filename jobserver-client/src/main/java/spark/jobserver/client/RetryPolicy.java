package spark.jobserver.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * When {@link JobServerClient} sends a request again: only requests that are safe to repeat (GETs, and the
 * POSTs that carry an {@code Idempotency-Key}), after a connection failure, 429, 503, or a 409 with
 * {@code Retry-After} (the same key still in progress). It waits the server's {@code Retry-After} when given,
 * else an exponential backoff from {@code initialBackoff}, doubling up to {@code maxBackoff}.
 *
 * @param maxAttempts attempts in all, the first included; 1 means no retry
 * @param initialBackoff the wait before the first retry when the server names none
 * @param maxBackoff the longest wait between two attempts; a longer {@code Retry-After} ends the retries
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        requireNonNull(initialBackoff, "initialBackoff is null");
        requireNonNull(maxBackoff, "maxBackoff is null");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
    }

    /** 4 attempts, 250 ms doubling, at most 10 s between two. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(10));
    }

    /** One attempt only. */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
    }

    /** The wait before attempt {@code attempt + 1} (attempt counts from 1) when the server gave no Retry-After. */
    Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis();
        for (int i = 1; i < attempt && millis < maxBackoff.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
