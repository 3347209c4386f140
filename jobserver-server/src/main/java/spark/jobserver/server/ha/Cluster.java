package spark.jobserver.server.ha;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The servers that share the database, and which of them each context belongs to.
 *
 * <p>Each live server holds a lease it renews every {@link HaSettings#leaseInterval()}; a server whose lease
 * ran out is dead to the others. A context that has not ended belongs to one server (its owner), the one its
 * driver is attached to: ownership follows the driver's connection, so a driver that re-attaches elsewhere
 * moves its context with it, and the server it left forgets it. Contexts whose owner is dead are orphans:
 * another server adopts them and waits for their drivers. Alone on its database, a server owns everything
 * ({@link #alone()}).
 */
public interface Cluster {

    /** A live server: its id and its base URL. */
    record Member(String id, String url) {}

    /** This server's id. */
    String serverId();

    /** This server process's id: a new one at every start (the server id stays). */
    String instanceId();

    /** Whether the server process of this instance id is alive: this one, or one whose lease holds. */
    boolean isLiveInstance(String instanceId);

    /** Whether other servers may share the database. */
    boolean isShared();

    /**
     * Renews this server's lease, registering it on the first call.
     *
     * @throws IllegalStateException when a live server at another address holds this server's id
     */
    void renewLease();

    /** Gives up the lease, as the server stops: the others adopt its contexts at once. */
    void leave();

    /** The live servers, this one first. */
    List<Member> liveMembers();

    /** The server of this id while its lease holds. */
    Optional<Member> liveMember(String serverId);

    /** Makes this server the owner of the context. */
    void own(String contextId);

    /** The owner of the context, if it has one. */
    Optional<String> owner(String contextId);

    /** Whether this server owns the context. */
    default boolean owns(String contextId) {
        return owner(contextId).map(serverId()::equals).orElse(!isShared());
    }

    /** Contexts not in a final state whose owner is not live, each with that owner ("" for none). */
    Map<String, String> orphans();

    /** Makes this server the owner of an orphan unless another server took it since; returns whether it did. */
    boolean claim(String contextId, String formerOwner);

    /** A server alone on its database: it owns every context, and no lease is kept. */
    static Cluster alone() {
        String instance = java.util.UUID.randomUUID().toString();
        return new Cluster() {
            @Override
            public String serverId() {
                return "";
            }

            @Override
            public String instanceId() {
                return instance;
            }

            @Override
            public boolean isLiveInstance(String instanceId) {
                return instance.equals(instanceId);
            }

            @Override
            public boolean isShared() {
                return false;
            }

            @Override
            public void renewLease() {}

            @Override
            public void leave() {}

            @Override
            public List<Member> liveMembers() {
                return List.of();
            }

            @Override
            public Optional<Member> liveMember(String serverId) {
                return Optional.empty();
            }

            @Override
            public void own(String contextId) {}

            @Override
            public Optional<String> owner(String contextId) {
                return Optional.empty();
            }

            @Override
            public Map<String, String> orphans() {
                return Map.of();
            }

            @Override
            public boolean claim(String contextId, String formerOwner) {
                return true;
            }
        };
    }
}
