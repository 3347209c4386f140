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
import spark.jobserver.protocol.ErrorInfo;
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

    /** A job as stored, without config and result; {@code result} names the node of the result. */
    private record Stored(
            String jobId,
            String contextId,
            String contextName,
            String appName,
            String classPath,
            List<String> binaries,
            JobStatus status,
            long startTime,
            Long endTime,
            ErrorInfo error,
            String callbackUrl,
            String result) {

        static Stored of(JobInfo j, String resultNode) {
            return new Stored(
                    j.jobId(),
                    j.contextId(),
                    j.contextName(),
                    j.appName(),
                    j.classPath(),
                    j.binaries(),
                    j.status(),
                    j.startTime().toEpochMilli(),
                    j.endTime() == null ? null : j.endTime().toEpochMilli(),
                    j.error(),
                    j.callbackUrl(),
                    resultNode);
        }

        JobInfo info(String config, String resultText) {
            return new JobInfo(
                    jobId,
                    contextId,
                    contextName,
                    appName,
                    classPath,
                    binaries == null ? List.of() : binaries,
                    config,
                    status,
                    Instant.ofEpochMilli(startTime),
                    endTime == null ? null : Instant.ofEpochMilli(endTime),
                    resultText,
                    error,
                    callbackUrl);
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
                if (read.isEmpty() || read.get().value().status().isTerminal()) {
                    return false;
                }
                Stored old = read.get().value();
                String resultNode = null;
                try {
                    if (j.result() != null) {
                        resultNode = "result-" + UUID.randomUUID();
                        zk.writeText(path + "/" + resultNode, j.result());
                    }
                    Stored ended = new Stored(
                            old.jobId(),
                            old.contextId(),
                            old.contextName(),
                            old.appName(),
                            old.classPath(),
                            old.binaries(),
                            j.status(),
                            old.startTime(),
                            j.endTime() == null ? null : j.endTime().toEpochMilli(),
                            j.error(),
                            old.callbackUrl(),
                            resultNode);
                    var tx = zk.client().transactionOp();
                    zk.transaction(List.of(
                            tx.setData().withVersion(read.get().version()).forPath(path, json(ended)),
                            tx.delete().forPath(UNFINISHED + "/" + nodeName(j.jobId()))));
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
            return s.info(config, result);
        } catch (KeeperException.NoNodeException e) {
            throw new IllegalStateException("job " + s.jobId() + " was deleted while being read", e);
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
                    if ((status == null || node.value().status() == status) && listed.size() < limit) {
                        listed.add(node.value().info("", null));
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
                if (contextId.equals(node.value().contextId())) {
                    jobs.add(full(node));
                }
            }
            return jobs;
        });
    }

    @Override
    public List<String> unfinishedUsingBinary(String appName) {
        return zk.call("Reading the unfinished jobs", this::unfinished).stream()
                .map(Node::value)
                .filter(s -> s.binaries() != null && s.binaries().contains(appName))
                .sorted(Comparator.comparingLong(Stored::startTime))
                .map(Stored::jobId)
                .toList();
    }

    private List<Node<Stored>> unfinished() throws Exception {
        List<String> paths =
                zk.children(UNFINISHED).stream().map(id -> JOBS + "/" + id).toList();
        return zk.readAll(paths, Stored.class).stream()
                .filter(n -> !n.value().status().isTerminal())
                .toList();
    }

    @Override
    public int deleteEndedBefore(Instant endedBefore) {
        return zk.call("Pruning jobs", () -> {
            List<String> paths =
                    zk.children(JOBS).stream().map(id -> JOBS + "/" + id).toList();
            int deleted = 0;
            for (Node<Stored> node : zk.readAll(paths, Stored.class)) {
                Stored s = node.value();
                if (s.status().isTerminal() && s.endTime() != null && s.endTime() < endedBefore.toEpochMilli()) {
                    delete(s);
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
                if (node.value().status().isTerminal() && ended++ >= keep) {
                    delete(node.value());
                    deleted++;
                }
            }
            return deleted;
        });
    }

    /** Deletes an ended job with all under it, then its listing entry. */
    private void delete(Stored s) throws Exception {
        zk.deleteTree(path(s.jobId()));
        try {
            zk.client().delete().forPath(ORDER + "/" + orderName(s.startTime(), s.jobId()));
        } catch (KeeperException.NoNodeException e) {
            // deleted meanwhile
        }
    }
}
