package spark.jobserver.server.ha;

import static java.util.Objects.requireNonNull;

/**
 * The context a request is about belongs to another live server: the request goes there ({@link
 * Forwarder}). Thrown before the request changed anything here.
 */
public final class ContextElsewhere extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Cluster.Member owner;

    public ContextElsewhere(String contextName, Cluster.Member owner) {
        super("context " + contextName + " is served by " + owner.id(), null, false, false);
        this.owner = requireNonNull(owner, "owner is null");
    }

    public Cluster.Member owner() {
        return owner;
    }
}
