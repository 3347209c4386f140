package spark.jobserver.server.progress;

import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import spark.jobserver.protocol.ProgressReport;
import spark.jobserver.server.jobs.ZkJobStore;
import spark.jobserver.server.store.ZooKeeper;

/**
 * Progress reports in ZooKeeper: {@code /jobs/<id>/progress} as JSON, under the job's node (see
 * {@link ZkJobStore}), so that pruning a job deletes its report. A report for a job that is not stored is
 * dropped, as the SQL store's foreign key drops it.
 */
public final class ZkJobProgressStore implements JobProgressStore {
    private final ZooKeeper zk;

    public ZkJobProgressStore(ZooKeeper zk) {
        this.zk = zk;
    }

    private static String path(String jobId) {
        return ZkJobStore.path(jobId) + "/progress";
    }

    @Override
    public void save(String jobId, ProgressReport report) {
        byte[] data = ZooKeeper.json(report);
        zk.call("Recording the progress of job " + jobId, () -> {
            try {
                zk.client().create().forPath(path(jobId), data);
            } catch (KeeperException.NodeExistsException e) {
                zk.client().setData().forPath(path(jobId), data); // a kill's late report replaces it
            } catch (KeeperException.NoNodeException e) {
                // the job is gone (pruned meanwhile): nothing to keep the report with
            }
            return null;
        });
    }

    @Override
    public Optional<ProgressReport> get(String jobId) {
        return zk.call("Reading the progress of job " + jobId, () -> zk.read(path(jobId), ProgressReport.class))
                .map(ZooKeeper.Node::value);
    }
}
