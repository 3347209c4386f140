package spark.jobserver.server.auth;

import java.util.Optional;

/**
 * Who a request's user is and what it may do. One implementation per provider, chosen by
 * {@code access-control.provider}; see {@link AuthSettings}.
 */
public interface AccessControl extends AutoCloseable {

    /** Whether requests must carry credentials at all (false only for the allow-all provider). */
    boolean requiresCredentials();

    /**
     * Checks a user's credentials.
     *
     * @return the user with its permissions, or empty when the credentials are wrong or the user is not
     *     admitted
     * @throws AccessControlException when the check itself could not be made (directory or identity
     *     provider unreachable)
     */
    Optional<AuthUser> authenticate(String user, String password);

    /**
     * A login answered from memory, without asking a directory or identity provider: cheap enough to run
     * on the request's thread.
     *
     * @return the user when this exact login was accepted recently; empty when it must be checked
     */
    default Optional<AuthUser> remembered(String user, String password) {
        return Optional.empty();
    }

    @Override
    default void close() {}

    /** The check could not be made; says nothing about the credentials. */
    final class AccessControlException extends RuntimeException {
        public AccessControlException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The provider the settings name, wrapped in a cache when {@code use-cache} is on. */
    static AccessControl create(AuthSettings settings) {
        AccessControl provider = switch (settings.provider()) {
            case ALLOW_ALL -> new AllowAllAccessControl();
            case SHIRO -> new ShiroAccessControl(settings.shiroConfigPath());
            case KEYCLOAK -> new KeycloakAccessControl(settings.keycloak(), settings.authTimeout());
        };
        return settings.useCache() && provider.requiresCredentials()
                ? new CachingAccessControl(
                        provider, settings.cacheTimeToLive(), settings.cacheMaxEntries(), java.time.Clock.systemUTC())
                : provider;
    }
}
