package spark.jobserver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoutePermissionsTest {

    @Test
    void eachResourceAndMethodNeedsItsPermission() {
        assertThat(RoutePermissions.required("GET", "/binaries/app")).contains(Permission.BINARIES_READ);
        assertThat(RoutePermissions.required("HEAD", "/binaries")).contains(Permission.BINARIES_READ);
        assertThat(RoutePermissions.required("PUT", "/contexts")).contains(Permission.CONTEXTS_RESET);
        assertThat(RoutePermissions.required("GET", "/jobs/1/config")).contains(Permission.JOBS_READ);
        assertThat(RoutePermissions.required("DELETE", "/data/%2Ftmp%2Fx")).contains(Permission.DATA_DELETE);
        assertThat(RoutePermissions.required("PATCH", "/jobs")).isEmpty();
        assertThat(RoutePermissions.required("GET", "/admin")).contains(Permission.ALLOW_ALL);
    }

    @Test
    void publicPathsAreFew() {
        assertThat(RoutePermissions.isPublic("/healthz")).isTrue();
        assertThat(RoutePermissions.isPublic("/driver/ws")).isTrue();
        assertThat(RoutePermissions.isPublic("/html/index.html")).isTrue();
        assertThat(RoutePermissions.isPublic("/healthz/x")).isFalse();
        assertThat(RoutePermissions.isPublic("/drivers")).isFalse();
        assertThat(RoutePermissions.isPublic("/jobs")).isFalse();
        assertThat(RoutePermissions.isPublic("/metrics")).isTrue();
        assertThat(RoutePermissions.isPublic("/swagger/index.html")).isTrue();
        assertThat(RoutePermissions.publicPaths(false, false).test("/metrics")).isFalse();
        assertThat(RoutePermissions.publicPaths(false, false).test("/statusz")).isFalse();
        assertThat(RoutePermissions.publicPaths(false, false).test("/openapi.json"))
                .isFalse();
        assertThat(RoutePermissions.publicPaths(false, false).test("/swagger/index.html"))
                .isFalse();
        assertThat(RoutePermissions.publicPaths(false, false).test("/healthz")).isTrue();
        assertThat(RoutePermissions.publicPaths(true, false).test("/metricz")).isTrue();
    }

    @Test
    void parentsGrantChildrenAndNoPermissionMeansAll() {
        AuthUser binaries = new AuthUser("u", Set.of(Permission.BINARIES));
        assertThat(binaries.has(Permission.BINARIES_DELETE)).isTrue();
        assertThat(binaries.has(Permission.JOBS_READ)).isFalse();
        assertThat(binaries.has(Permission.ALLOW_ALL)).isFalse();
        assertThat(new AuthUser("u", Set.of()).has(Permission.DATA_RESET)).isTrue();
    }

    @Test
    void basicCredentialsAreParsedStrictly() {
        assertThat(AccessGate.basicCredentials("Basic dXNlcjpwYTpzcw==")).containsExactly("user", "pa:ss");
        assertThat(AccessGate.basicCredentials("basic dXNlcjpwYXNz")).containsExactly("user", "pass");
        assertThat(AccessGate.basicCredentials("Basic OnBhc3M=")).isNull(); // empty user name
        assertThat(AccessGate.basicCredentials("Bearer x")).isNull();
        assertThat(AccessGate.basicCredentials("Basic %%%")).isNull();
        assertThat(AccessGate.basicCredentials(null)).isNull();
    }

    @Test
    void theCacheKeepsSuccessesForTheirTimeAndNeverAnotherPassword() {
        AtomicInteger calls = new AtomicInteger();
        AccessControl counting = new AccessControl() {
            @Override
            public boolean requiresCredentials() {
                return true;
            }

            @Override
            public Optional<AuthUser> authenticate(String user, String password) {
                calls.incrementAndGet();
                return password.equals("right") ? Optional.of(new AuthUser(user, Set.of())) : Optional.empty();
            }
        };
        MutableClock clock = new MutableClock();
        CachingAccessControl cache = new CachingAccessControl(counting, Duration.ofMinutes(1), 10, clock);
        assertThat(cache.authenticate("u", "right")).isPresent();
        assertThat(cache.authenticate("u", "right")).isPresent();
        assertThat(calls).hasValue(1);
        assertThat(cache.authenticate("u", "wrong")).isEmpty();
        assertThat(cache.authenticate("u", "wrong")).isEmpty();
        assertThat(calls).hasValue(3);
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(cache.authenticate("u", "right")).isPresent();
        assertThat(calls).hasValue(4);
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
