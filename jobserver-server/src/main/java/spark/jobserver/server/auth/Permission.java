package spark.jobserver.server.auth;

import java.util.Arrays;
import java.util.Optional;

/**
 * The permissions of the reference ({@code auth/Permissions.scala}): a parent grants its children, and
 * {@link #ALLOW_ALL} grants everything.
 */
public enum Permission {
    ALLOW_ALL("*", null),
    BINARIES("binaries", null),
    BINARIES_READ("binaries:read", BINARIES),
    BINARIES_UPLOAD("binaries:upload", BINARIES),
    BINARIES_DELETE("binaries:delete", BINARIES),
    CONTEXTS("contexts", null),
    CONTEXTS_READ("contexts:read", CONTEXTS),
    CONTEXTS_START("contexts:start", CONTEXTS),
    CONTEXTS_DELETE("contexts:delete", CONTEXTS),
    CONTEXTS_RESET("contexts:reset", CONTEXTS),
    DATA("data", null),
    DATA_READ("data:read", DATA),
    DATA_UPLOAD("data:upload", DATA),
    DATA_DELETE("data:delete", DATA),
    DATA_RESET("data:reset", DATA),
    JOBS("jobs", null),
    JOBS_READ("jobs:read", JOBS),
    JOBS_START("jobs:start", JOBS),
    JOBS_DELETE("jobs:delete", JOBS);

    private final String id;
    private final Permission parent;

    Permission(String id, Permission parent) {
        this.id = id;
        this.parent = parent;
    }

    /** The name used in Shiro ini files, Keycloak client roles and the reference's docs. */
    public String id() {
        return id;
    }

    Optional<Permission> parent() {
        return Optional.ofNullable(parent);
    }

    /** The permission with this id, if it is one. */
    public static Optional<Permission> byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst();
    }
}
