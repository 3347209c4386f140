package spark.jobserver.server.jobs;

import static spark.jobserver.server.store.ZooKeeper.json;
import static spark.jobserver.server.store.ZooKeeper.nodeName;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import spark.jobserver.server.store.ZooKeeper;
import spark.jobserver.server.store.ZooKeeper.Node;

/**
 * Jobs in ZooKeeper, under {@code zookeeperdao.dir}:
 *
 * <pre>
 * /jobs/&lt;id&gt;                        the job without its config and result, as JSON (what a listing reads)
 * /jobs/&lt;id&gt;/config                 the posted config: a text in chunk nodes ({@link ZooKeeper#createText})
 * /jobs/&lt;id&gt;/result-&lt;token&gt;         the result, likewise; the job's JSON names the one that counts
 * /jobs/&lt;id&gt;/progress               the last progress report ({@code progress.ZkJobProgressStore})
 * /jobs/&lt;id&gt;/stream                 the stream result's size ({@link ZkStreamResultStore})
 * /job-order/&lt;start&gt;-&lt;id&gt;           empty: listing order, start time in 19 zero-padded digits (never changes)
 * /jobs-unfinished/&lt;id&gt;             empty: the jobs not ended
 * </pre>
 *
 * A job is inserted in one transaction with its config and index entries. {@link #finish} writes the result's
 * chunks first (a 10 MB result is larger than any one ZooKeeper request), then ends the job with a
 * compare-and-set on its version, together with the removal of its unfinished entry: of concurrent ends one wins,
 * the others delete the chunks they wrote. An ended job never changes again, so pruning deletes what it read as
 * ended, progress and stream entries with it.
 */
public final class ZkJobStore implements JobStore {
    static final String JOBS = "/jobs";
    private static final String ORDER = "/job-order";
    private static final String UNFINISHED = "/jobs-unfinished";
    private final ZooKeeper zk;

    /** A job as stored: as listed (no config, no result), and the node of its result, if any. */
    private record Stored(JobInfo job, String result) {
        static Stored of(JobInfo j, String resultNode) {
            return new Stored(j.withTexts("", null), resultNode);
        }
    }

    public ZkJobStore(ZooKeeper zk) {
        this.zk = zk;
        zk.ensure(JOBS, ORDER, UNFINISHED);
    }

    /** The node of job {@code jobId}; its progress and stream entries live under it. */
    public static String path(String jobId) {
        return JOBS + "/" + nodeName(jobId);
    }

    private static String orderName(long startTime, String jobId) {
        return String.format("%019d-%s", startTime, nodeName(jobId));
    }

    @Override
    public void insert(JobInfo j) {
        zk.call("Recording job " + j.jobId(), () -> {
            var tx = zk.client().transactionOp();
            String path = path(j.jobId());
            String resultNode = j.result() == null ? null : "result-0";
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(tx.create().forPath(path, json(Stored.of(j, resultNode))));
            ops.addAll(zk.createText(path + "/config", j.config()));
            if (resultNode != null) {
                ops.addAll(zk.createText(path + "/" + resultNode, j.result()));
            }
            ops.add(tx.create().forPath(ORDER + "/" + orderName(j.startTime().toEpochMilli(), j.jobId())));
            if (!j.status().isTerminal()) {
                ops.add(tx.create().forPath(UNFINISHED + "/" + nodeName(j.jobId())));
            }
            zk.transaction(ops);
            return null;
        });
    }

    @Override
    public boolean finish(JobInfo j) {
        return zk.call("Recording the end of job " + j.jobId(), () -> {
            String path = path(j.jobId());
            while (true) {
                Optional<Node<Stored>> read = zk.read(path, Stored.class);
                if (read.isEmpty() || read.get().value().job().status().isTerminal()) {
                    return false;
                }
                JobInfo old = read.get().value().job();
                String resultNode = null;
                try {
                    if (j.result() != null) {
                        resultNode = "result-" + UUID.randomUUID();
                        zk.writeText(path + "/" + resultNode, j.result());
                    }
                    Stored ended = Stored.of(old.ended(j.status(), j.endTime(), null, j.error()), resultNode);
                    var tx = zk.client().transactionOp();
                    List<CuratorOp> ops = new ArrayList<>();
                    ops.add(tx.setData().withVersion(read.get().version()).forPath(path, json(ended)));
                    String unfinished = UNFINISHED + "/" + nodeName(j.jobId());
                    if (zk.exists(unfinished)) { // it always is: checked so that a lost entry cannot block ends
                        ops.add(tx.delete().forPath(unfinished));
                    }
                    zk.transaction(ops);
                    return true;
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
                    if (resultNode != null) {
                        zk.deleteTree(path + "/" + resultNode);
                    }
                    // changed (or deleted) meanwhile: read it again
                }
            }
        });
    }

    @Override
    public Optional<JobInfo> get(String jobId) {
        return zk.call("Reading job " + jobId, () -> {
            String path = path(jobId);
            Optional<Node<Stored>> read = zk.read(path, Stored.class);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(full(read.get()));
        });
    }

    private JobInfo full(Node<Stored> node) throws Exception {
        Stored s = node.value();
        try {
            String config = zk.readText(node.path() + "/config");
            String result = s.result() == null ? null : zk.readText(node.path() + "/" + s.result());
            return s.job().withTexts(config, result);
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalStateException("job " + s.job().jobId() + " was deleted while being read", e);
        }
    }

    @Override
    public List<JobInfo> list(int limit, JobStatus status) {
        if (limit <= 0) {
            return List.of();
        }
        return zk.call("Listing jobs", () -> {
            List<String> order = new ArrayList<>(zk.children(ORDER));
            order.sort(Comparator.reverseOrder());
            List<JobInfo> listed = new ArrayList<>();
            // Read in batches, newest first, until the page is full: a listing of the 50 newest reads about 50 jobs.
            int batch = status == null ? limit : Math.max(limit, 200);
            for (int from = 0; from < order.size() && listed.size() < limit; from += batch) {
                List<String> paths = order.subList(from, Math.min(order.size(), from + batch)).stream()
                        .map(name -> JOBS + "/" + name.substring(name.indexOf('-') + 1))
                        .toList();
                for (Node<Stored> node : zk.readAll(paths, Stored.class)) {
                    JobInfo job = node.value().job();
                    if ((status == null || job.status() == status) && listed.size() < limit) {
                        listed.add(job);
                    }
                }
            }
            return List.copyOf(listed);
        });
    }

    @Override
    public List<JobInfo> unfinishedInContext(String contextId) {
        return zk.call("Reading the unfinished jobs of context " + contextId, () -> {
            List<JobInfo> jobs = new ArrayList<>();
            for (Node<Stored> node : unfinished()) {
                if (contextId.equals(node.value().job().contextId())) {
                    jobs.add(full(node));
                }
            }
            return jobs;
        });
    }

    @Override
    public List<String> unfinishedUsingBinary(String appName) {
        return zk.call("Reading the unfinished jobs", this::unfinished).stream()
                .map(n -> n.value().job())
                .filter(j -> j.binaries().contains(appName))
                .sorted(Comparator.comparing(JobInfo::startTime))
                .map(JobInfo::jobId)
                .toList();
    }

    private List<Node<Stored>> unfinished() throws Exception {
        List<String> paths =
                zk.children(UNFINISHED).stream().map(id -> JOBS + "/" + id).toList();
        return zk.readAll(paths, Stored.class).stream()
                .filter(n -> !n.value().job().status().isTerminal())
                .toList();
    }

    @Override
    public int deleteEndedBefore(Instant endedBefore) {
        return zk.call("Pruning jobs", () -> {
            List<String> paths =
                    zk.children(JOBS).stream().map(id -> JOBS + "/" + id).toList();
            int deleted = 0;
            for (Node<Stored> node : zk.readAll(paths, Stored.class)) {
                JobInfo job = node.value().job();
                if (job.status().isTerminal()
                        && job.endTime() != null
                        && job.endTime().isBefore(endedBefore)) {
                    delete(job);
                    deleted++;
                }
            }
            return deleted;
        });
    }

    @Override
    public int deleteEndedBeyond(int keep) {
        if (keep < 0) {
            throw new IllegalArgumentException("keep must not be negative");
        }
        return zk.call("Pruning jobs", () -> {
            List<String> order = new ArrayList<>(zk.children(ORDER));
            order.sort(Comparator.reverseOrder());
            List<String> paths = order.stream()
                    .map(name -> JOBS + "/" + name.substring(name.indexOf('-') + 1))
                    .toList();
            int ended = 0;
            int deleted = 0;
            for (Node<Stored> node : zk.readAll(paths, Stored.class)) {
                if (node.value().job().status().isTerminal() && ended++ >= keep) {
                    delete(node.value().job());
                    deleted++;
                }
            }
            return deleted;
        });
    }

    /** Deletes an ended job with all under it, then its listing entry. */
    private void delete(JobInfo job) throws Exception {
        zk.deleteTree(path(job.jobId()));
        try {
            zk.client().delete().forPath(ORDER + "/" + orderName(job.startTime().toEpochMilli(), job.jobId()));
        } catch (KeeperException.NoNodeException e) {
            // deleted meanwhile
        }
    }
}
