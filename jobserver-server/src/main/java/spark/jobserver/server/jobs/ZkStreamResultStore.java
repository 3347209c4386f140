package spark.jobserver.server.jobs;

import static spark.jobserver.server.store.ZooKeeper.json;

import java.time.Instant;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import spark.jobserver.server.store.ZooKeeper;

/**
 * Stream results in ZooKeeper: {@code /jobs/<id>/stream} (see {@link ZkJobStore}), so that they go with their job
 * as the SQL table's rows do with its foreign key. Recording one for a job that is not stored fails.
 */
public final class ZkStreamResultStore implements StreamResultStore {
    private final ZooKeeper zk;

    private record Stored(long size, long stored) {}

    public ZkStreamResultStore(ZooKeeper zk) {
        this.zk = zk;
    }

    private static String path(String jobId) {
        return ZkJobStore.path(jobId) + "/stream";
    }

    @Override
    public void insert(String jobId, long size, Instant stored) {
        zk.call(
                "Recording the stream result of job " + jobId,
                () -> zk.client().create().forPath(path(jobId), json(new Stored(size, stored.toEpochMilli()))));
    }

    @Override
    public Optional<Long> size(String jobId) {
        return zk.call("Reading the stream result of job " + jobId, () -> zk.read(path(jobId), Stored.class))
                .map(n -> n.value().size());
    }

    @Override
    public void delete(String jobId) {
        zk.call("Deleting the stream result of job " + jobId, () -> {
            try {
                zk.client().delete().forPath(path(jobId));
            } catch (KeeperException.NoNodeException e) {
                // none
            }
            return null;
        });
    }
}
