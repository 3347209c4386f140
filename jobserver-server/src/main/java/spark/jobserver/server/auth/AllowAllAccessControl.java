package spark.jobserver.server.auth;

import java.util.Optional;

/** The default: no credentials needed, every request is the user {@code anonymous} with ALLOW_ALL. */
final class AllowAllAccessControl implements AccessControl {
    @Override
    public boolean requiresCredentials() {
        return false;
    }

    @Override
    public Optional<AuthUser> authenticate(String user, String password) {
        return Optional.of(AuthUser.ANONYMOUS);
    }
}
