package spark.jobserver.server.binaries;

import static spark.jobserver.server.store.ZooKeeper.json;
import static spark.jobserver.server.store.ZooKeeper.nodeName;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import spark.jobserver.server.store.ZooKeeper;
import spark.jobserver.server.store.ZooKeeper.Node;

/**
 * Binaries' versions in ZooKeeper, under {@code zookeeperdao.dir}:
 *
 * <pre>
 * /binaries/&lt;app&gt;/v-&lt;sequence&gt;     one version as JSON (name, type, upload time, SHA-256, size)
 * </pre>
 *
 * The sequence ZooKeeper gives a version orders versions uploaded in the same millisecond, as the SQL store's row
 * ids do. Whether some bytes are still used reads every version: binaries are few.
 */
public final class ZkBinaryVersions implements BinaryVersions {
    private static final String BINARIES = "/binaries";
    private final ZooKeeper zk;

    public ZkBinaryVersions(ZooKeeper zk) {
        this.zk = zk;
        zk.ensure(BINARIES);
    }

    private static String app(String appName) {
        return BINARIES + "/" + nodeName(appName);
    }

    @Override
    public void add(BinaryInfo info) {
        zk.call("Recording binary " + info.appName(), () -> {
            while (true) {
                try {
                    zk.client().create().forPath(app(info.appName()));
                } catch (KeeperException.NodeExistsException e) {
                    // an earlier version
                }
                try {
                    zk.client()
                            .create()
                            .withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                            .forPath(app(info.appName()) + "/v-", json(info));
                    return null;
                } catch (KeeperException.NoNodeException e) {
                    // the app was deleted meanwhile: create it again
                }
            }
        });
    }

    /** The app's versions, oldest first (by sequence). */
    private List<Node<BinaryInfo>> versions(String appNode) throws Exception {
        List<String> names = new ArrayList<>(zk.children(appNode));
        names.sort(null);
        return zk.readAll(names.stream().map(n -> appNode + "/" + n).toList(), BinaryInfo.class);
    }

    @Override
    public Optional<BinaryInfo> latest(String appName) {
        // the newest upload time; of equal ones, the last recorded (readAll keeps the sequence order)
        return zk.call("Reading binary " + appName, () -> versions(app(appName))).stream()
                .map(Node::value)
                .reduce((a, b) -> b.uploadTime().isBefore(a.uploadTime()) ? a : b);
    }

    @Override
    public List<BinaryInfo> latestOfEach() {
        return zk
                .call("Listing binaries", () -> {
                    List<String> newest = new ArrayList<>();
                    for (String app : zk.children(BINARIES)) {
                        zk.children(BINARIES + "/" + app).stream()
                                .max(Comparator.naturalOrder())
                                .ifPresent(v -> newest.add(BINARIES + "/" + app + "/" + v));
                    }
                    return zk.readAll(newest, BinaryInfo.class);
                })
                .stream()
                .map(Node::value)
                .sorted(Comparator.comparing(BinaryInfo::appName))
                .toList();
    }

    @Override
    public List<BinaryInfo> deleteAll(String appName) {
        return zk.call("Deleting binary " + appName, () -> {
            List<BinaryInfo> removed =
                    versions(app(appName)).stream().map(Node::value).toList();
            zk.deleteTree(app(appName));
            return removed;
        });
    }

    @Override
    public boolean uses(String sha256) {
        return zk.call("Reading binaries", () -> {
            List<String> paths = new ArrayList<>();
            for (String app : zk.children(BINARIES)) {
                for (String version : zk.children(BINARIES + "/" + app)) {
                    paths.add(BINARIES + "/" + app + "/" + version);
                }
            }
            return zk.readAll(paths, BinaryInfo.class).stream()
                    .anyMatch(n -> n.value().sha256().equals(sha256));
        });
    }
}
