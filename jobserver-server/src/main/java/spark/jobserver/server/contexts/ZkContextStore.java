package spark.jobserver.server.contexts;

import static spark.jobserver.server.store.ZooKeeper.json;
import static spark.jobserver.server.store.ZooKeeper.nodeName;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import spark.jobserver.server.store.ZooKeeper;
import spark.jobserver.server.store.ZooKeeper.Node;

/**
 * Contexts in ZooKeeper, under {@code zookeeperdao.dir}:
 *
 * <pre>
 * /contexts/&lt;id&gt;                      the context and its driver's secret, as JSON
 * /context-names/&lt;name&gt;/&lt;id&gt;          empty: the contexts of each name (a name never changes)
 * /contexts-unfinished/&lt;id&gt;           empty: the contexts not in a final state
 * </pre>
 *
 * Names and ids are escaped by {@link ZooKeeper#nodeName}. A context and its index entries are written in one
 * transaction, and an update is a compare-and-set on the context's version (retried on a concurrent change), so
 * the indexes never disagree with the contexts. Pruning reads every context once (pipelined) and deletes only the
 * versions it saw ended.
 */
public final class ZkContextStore implements ContextStore {
    private static final String CONTEXTS = "/contexts";
    private static final String NAMES = "/context-names";
    private static final String UNFINISHED = "/contexts-unfinished";
    private final ZooKeeper zk;

    /** A context as stored, with its driver's secret. */
    private record Stored(ContextInfo context, String secret) {}

    public ZkContextStore(ZooKeeper zk) {
        this.zk = zk;
        zk.ensure(CONTEXTS, NAMES, UNFINISHED);
    }

    private static String path(String id) {
        return CONTEXTS + "/" + nodeName(id);
    }

    @Override
    public void insert(ContextInfo c, String secret) {
        zk.call("Recording context " + c.id(), () -> {
            var tx = zk.client().transactionOp();
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(tx.create().forPath(path(c.id()), json(new Stored(c, secret))));
            String names = NAMES + "/" + nodeName(c.name());
            try {
                zk.client().create().forPath(names);
            } catch (KeeperException.NodeExistsException e) {
                // another context of this name
            }
            ops.add(tx.create().forPath(names + "/" + nodeName(c.id())));
            if (!c.state().isTerminal()) {
                ops.add(tx.create().forPath(UNFINISHED + "/" + nodeName(c.id())));
            }
            zk.transaction(ops);
            return null;
        });
    }

    @Override
    public void update(ContextInfo c) {
        zk.call("Updating context " + c.id(), () -> {
            while (true) {
                Optional<Node<Stored>> read = zk.read(path(c.id()), Stored.class);
                if (read.isEmpty()) {
                    return null; // as an UPDATE of no row
                }
                Stored old = read.get().value();
                // the name, config and start time never change: only the state and what comes with it
                Stored updated = new Stored(c, old.secret());
                var tx = zk.client().transactionOp();
                List<CuratorOp> ops = new ArrayList<>();
                ops.add(tx.setData().withVersion(read.get().version()).forPath(path(c.id()), json(updated)));
                String unfinished = UNFINISHED + "/" + nodeName(c.id());
                boolean indexed = zk.exists(unfinished); // as the old state says; read, so a lost entry heals
                if (!c.state().isTerminal() && !indexed) {
                    ops.add(tx.create().forPath(unfinished));
                } else if (c.state().isTerminal() && indexed) {
                    ops.add(tx.delete().forPath(unfinished));
                }
                try {
                    zk.transaction(ops);
                    return null;
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                    // changed or deleted meanwhile: read it again
                }
            }
        });
    }

    @Override
    public Optional<ContextInfo> get(String id) {
        return zk.call("Reading context " + id, () -> zk.read(path(id), Stored.class))
                .map(n -> n.value().context());
    }

    @Override
    public Optional<ContextInfo> latestByName(String name) {
        return zk
                .call("Reading the contexts named " + name, () -> {
                    List<String> paths = zk.children(NAMES + "/" + nodeName(name)).stream()
                            .map(id -> CONTEXTS + "/" + id)
                            .toList();
                    return zk.readAll(paths, Stored.class);
                })
                .stream()
                .map(n -> n.value().context())
                .max(Comparator.comparing(ContextInfo::startTime));
    }

    @Override
    public List<ContextInfo> unfinished() {
        return zk
                .call("Reading the unfinished contexts", () -> {
                    List<String> paths = zk.children(UNFINISHED).stream()
                            .map(id -> CONTEXTS + "/" + id)
                            .toList();
                    return zk.readAll(paths, Stored.class);
                })
                .stream()
                .map(n -> n.value().context())
                .filter(c -> !c.state().isTerminal())
                .sorted(Comparator.comparing(ContextInfo::startTime))
                .toList();
    }

    @Override
    public Optional<String> secret(String id) {
        return zk.call("Reading context " + id, () -> zk.read(path(id), Stored.class))
                .map(n -> n.value().secret());
    }

    @Override
    public int deleteEndedBefore(Instant endedBefore) {
        return zk.call("Pruning contexts", () -> {
            List<String> paths = zk.children(CONTEXTS).stream()
                    .map(id -> CONTEXTS + "/" + id)
                    .toList();
            int deleted = 0;
            for (Node<Stored> node : zk.readAll(paths, Stored.class)) {
                ContextInfo c = node.value().context();
                if (!c.state().isTerminal()
                        || c.endTime() == null
                        || !c.endTime().isBefore(endedBefore)) {
                    continue;
                }
                var tx = zk.client().transactionOp();
                try {
                    zk.transaction(List.of(
                            tx.delete().withVersion(node.version()).forPath(node.path()),
                            tx.delete().forPath(NAMES + "/" + nodeName(c.name()) + "/" + nodeName(c.id()))));
                    deleted++;
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                    // changed or deleted meanwhile: left to the next pruning
                }
            }
            return deleted;
        });
    }
}
