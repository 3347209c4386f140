package spark.jobserver.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers successful logins for a while ({@code access-control.use-cache}), so an identity provider is
 * not asked on every request. Unlike the original, the entry is keyed by the user and a hash of the
 * password: a wrong password is never accepted because the user is cached. Failures are not cached.
 */
final class CachingAccessControl implements AccessControl {
    private final AccessControl delegate;
    private final Duration timeToLive;
    private final int maxEntries;
    private final Clock clock;
    private final Map<String, Entry> entries; // guarded by this

    private record Entry(AuthUser user, Instant expires) {}

    CachingAccessControl(AccessControl delegate, Duration timeToLive, int maxEntries, Clock clock) {
        this.delegate = delegate;
        this.timeToLive = timeToLive;
        this.maxEntries = Math.max(1, maxEntries);
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > CachingAccessControl.this.maxEntries;
            }
        };
    }

    @Override
    public boolean requiresCredentials() {
        return delegate.requiresCredentials();
    }

    @Override
    public Optional<AuthUser> remembered(String user, String password) {
        String key = key(user, password);
        Instant now = clock.instant();
        synchronized (this) {
            Entry entry = entries.get(key);
            if (entry != null && entry.expires.isAfter(now)) {
                return Optional.of(entry.user);
            }
            entries.remove(key);
        }
        return Optional.empty();
    }

    @Override
    public Optional<AuthUser> authenticate(String user, String password) {
        Optional<AuthUser> known = remembered(user, password);
        if (known.isPresent()) {
            return known;
        }
        Instant now = clock.instant();
        Optional<AuthUser> result = delegate.authenticate(user, password);
        result.ifPresent(u -> {
            synchronized (this) {
                entries.put(key(user, password), new Entry(u, now.plus(timeToLive)));
            }
        });
        return result;
    }

    private static String key(String user, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(user.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
