package spark.jobserver.server.auth;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * An authenticated user and what it may do. As in the original, a user none of whose roles names a
 * permission may do everything.
 */
public record AuthUser(String name, Set<Permission> permissions) {
    /** The user of the allow-all provider. */
    public static final AuthUser ANONYMOUS = new AuthUser("anonymous", Set.of(Permission.ALLOW_ALL));

    public AuthUser {
        requireNonNull(name, "name is null");
        permissions = permissions.isEmpty() ? Set.of(Permission.ALLOW_ALL) : Set.copyOf(permissions);
    }

    public boolean has(Permission permission) {
        return permissions.contains(Permission.ALLOW_ALL)
                || permissions.contains(permission)
                || permission.parent().map(permissions::contains).orElse(false);
    }
}
