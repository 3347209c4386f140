package spark.jobserver.server.ha;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import spark.jobserver.server.store.Database;
import spark.jobserver.server.store.Jdbc;

/**
 * {@link Cluster} in the shared database: the {@code servers} table holds each server's lease (epoch ms it
 * lasts until, by the server's clock: keep the servers' clocks in step, as NTP does, well within the lease
 * timeout), the {@code owner} column of {@code contexts} each context's server.
 */
public final class JdbcCluster implements Cluster {
    private static final String UNFINISHED = "c.state NOT IN ('FINISHED', 'ERROR', 'KILLED')";

    private final Jdbc jdbc;
    private final String serverId;
    private final String url;
    private final Clock clock;
    private final Duration leaseTimeout;
    private final String instanceId = java.util.UUID.randomUUID().toString();

    public JdbcCluster(Database database, String serverId, String url, Clock clock, Duration leaseTimeout) {
        this.jdbc = new Jdbc(requireNonNull(database, "database is null"));
        this.serverId = requireNonNull(serverId, "serverId is null");
        this.url = requireNonNull(url, "url is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.leaseTimeout = requireNonNull(leaseTimeout, "leaseTimeout is null");
    }

    @Override
    public String serverId() {
        return serverId;
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public boolean isLiveInstance(String instance) {
        return instanceId.equals(instance)
                || jdbc.queryOne(
                                "SELECT id FROM servers WHERE instance = ? AND lease_until >= ?",
                                rs -> rs.getString(1),
                                instance,
                                clock.millis())
                        .isPresent();
    }

    @Override
    public boolean isShared() {
        return true;
    }

    @Override
    public void renewLease() {
        long now = clock.millis();
        long until = now + leaseTimeout.toMillis();
        Optional<Member> holder = liveMember(serverId);
        // The same address cannot be served twice at once: a live lease at this address is this server's own,
        // from before a crash.
        if (holder.isPresent() && !holder.get().url().equals(url)) {
            throw new IllegalStateException("The server id '" + serverId + "' is in use by the live server at "
                    + holder.get().url() + ": give each server its own spark.jobserver.ha.server-id");
        }
        if (jdbc.update(
                        "UPDATE servers SET url = ?, instance = ?, lease_until = ? WHERE id = ?",
                        url,
                        instanceId,
                        until,
                        serverId)
                == 0) {
            jdbc.update(
                    "INSERT INTO servers (id, url, instance, started_at, lease_until) VALUES (?, ?, ?, ?, ?)",
                    serverId,
                    url,
                    instanceId,
                    now,
                    until);
        }
    }

    @Override
    public void leave() {
        jdbc.update("DELETE FROM servers WHERE id = ?", serverId);
    }

    @Override
    public List<Member> liveMembers() {
        List<Member> members = new ArrayList<>(jdbc.query(
                "SELECT id, url FROM servers WHERE lease_until >= ? ORDER BY id",
                rs -> new Member(rs.getString(1), rs.getString(2)),
                clock.millis()));
        // this server first: a driver told the list keeps to it while it can
        members.sort((a, b) -> Boolean.compare(!a.id().equals(serverId), !b.id().equals(serverId)));
        return members;
    }

    @Override
    public Optional<Member> liveMember(String id) {
        return jdbc.queryOne(
                "SELECT id, url FROM servers WHERE id = ? AND lease_until >= ?",
                rs -> new Member(rs.getString(1), rs.getString(2)),
                id,
                clock.millis());
    }

    @Override
    public void own(String contextId) {
        jdbc.update("UPDATE contexts SET owner = ? WHERE id = ?", serverId, contextId);
    }

    @Override
    public Optional<String> owner(String contextId) {
        return jdbc.queryOne(
                        "SELECT owner FROM contexts WHERE id = ?",
                        rs -> rs.getString(1) == null ? "" : rs.getString(1),
                        contextId)
                .filter(o -> !o.isEmpty());
    }

    @Override
    public Map<String, String> orphans() {
        Map<String, String> orphans = new LinkedHashMap<>();
        for (String[] row : jdbc.query(
                // a context without an owner is one being recorded, unless it is older than a lease
                "SELECT c.id, c.owner FROM contexts c LEFT JOIN servers s ON s.id = c.owner WHERE " + UNFINISHED
                        + " AND (s.id IS NULL OR s.lease_until < ?) AND (c.owner IS NOT NULL OR c.start_time < ?)"
                        + " ORDER BY c.start_time",
                rs -> new String[] {rs.getString(1), rs.getString(2)},
                clock.millis(),
                clock.millis() - leaseTimeout.toMillis())) {
            orphans.put(row[0], row[1] == null ? "" : row[1]);
        }
        return orphans;
    }

    @Override
    public boolean claim(String contextId, String formerOwner) {
        String unfinished = UNFINISHED.replace("c.state", "state");
        return formerOwner.isEmpty()
                ? jdbc.update(
                                "UPDATE contexts SET owner = ? WHERE id = ? AND owner IS NULL AND " + unfinished,
                                serverId,
                                contextId)
                        == 1
                : jdbc.update(
                                "UPDATE contexts SET owner = ? WHERE id = ? AND owner = ? AND " + unfinished,
                                serverId,
                                contextId,
                                formerOwner)
                        == 1;
    }
}
