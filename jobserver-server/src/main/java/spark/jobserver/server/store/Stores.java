package spark.jobserver.server.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.binaries.BinaryContent;
import spark.jobserver.server.binaries.BinaryStore;
import spark.jobserver.server.binaries.BinaryVersions;
import spark.jobserver.server.binaries.HdfsBinaryContent;
import spark.jobserver.server.binaries.JdbcBinaryContent;
import spark.jobserver.server.binaries.JdbcBinaryStore;
import spark.jobserver.server.binaries.JdbcBinaryVersions;
import spark.jobserver.server.binaries.SplitBinaryStore;
import spark.jobserver.server.binaries.ZkBinaryVersions;
import spark.jobserver.server.contexts.ContextStore;
import spark.jobserver.server.contexts.JdbcContextStore;
import spark.jobserver.server.contexts.ZkContextStore;
import spark.jobserver.server.jobs.JdbcJobStore;
import spark.jobserver.server.jobs.JdbcStreamResultStore;
import spark.jobserver.server.jobs.JobStore;
import spark.jobserver.server.jobs.StreamResultStore;
import spark.jobserver.server.jobs.ZkJobStore;
import spark.jobserver.server.jobs.ZkStreamResultStore;
import spark.jobserver.server.progress.JdbcJobProgressStore;
import spark.jobserver.server.progress.JobProgressStore;
import spark.jobserver.server.progress.ZkJobProgressStore;

/**
 * Every store of the server, chosen in this one place by {@link StoreSettings}: in the SQL database (the default),
 * with the metadata in ZooKeeper, and/or the binaries' bytes in HDFS. The SQL database stays open in every case for
 * what has no other store. Closing closes the ZooKeeper client and the FileSystem, not the database.
 */
public final class Stores implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Stores.class);
    /** How long an HDFS that does not answer may hold up the start. */
    private static final Duration HDFS_OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final BinaryStore binaries;
    private final ContextStore contexts;
    private final JobStore jobs;
    private final StreamResultStore streamResults;
    private final JobProgressStore progress;
    private final List<AutoCloseable> resources;

    private Stores(
            BinaryStore binaries,
            ContextStore contexts,
            JobStore jobs,
            StreamResultStore streamResults,
            JobProgressStore progress,
            List<AutoCloseable> resources) {
        this.binaries = binaries;
        this.contexts = contexts;
        this.jobs = jobs;
        this.streamResults = streamResults;
        this.progress = progress;
        this.resources = List.copyOf(resources);
    }

    /**
     * Opens the stores {@code settings} choose, connecting to ZooKeeper and HDFS when they are chosen.
     *
     * @throws IllegalStateException when ZooKeeper or HDFS cannot be reached (within their connection timeouts)
     */
    public static Stores open(StoreSettings settings, Database database) {
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            BinaryContent hdfs = null;
            if (settings.binaries() == StoreSettings.Binaries.HDFS) {
                HdfsBinaryContent opened = HdfsBinaryContent.open(settings.binariesDir(), HDFS_OPEN_TIMEOUT);
                resources.add(opened);
                hdfs = opened;
            }
            Stores stores;
            if (settings.metadata() == StoreSettings.Metadata.ZOOKEEPER) {
                ZooKeeper zk = ZooKeeper.connect(settings.zookeeper());
                resources.add(zk);
                stores = new Stores(
                        new SplitBinaryStore(
                                new ZkBinaryVersions(zk), hdfs != null ? hdfs : new JdbcBinaryContent(database)),
                        new ZkContextStore(zk),
                        new ZkJobStore(zk),
                        new ZkStreamResultStore(zk),
                        new ZkJobProgressStore(zk),
                        resources);
            } else {
                BinaryVersions versions = new JdbcBinaryVersions(database);
                stores = new Stores(
                        hdfs != null ? new SplitBinaryStore(versions, hdfs) : new JdbcBinaryStore(database),
                        new JdbcContextStore(database),
                        new JdbcJobStore(database),
                        new JdbcStreamResultStore(database),
                        new JdbcJobProgressStore(database),
                        resources);
            }
            LOG.info("Stores: {}", settings.describe());
            return stores;
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    public BinaryStore binaries() {
        return binaries;
    }

    public ContextStore contexts() {
        return contexts;
    }

    public JobStore jobs() {
        return jobs;
    }

    public StreamResultStore streamResults() {
        return streamResults;
    }

    public JobProgressStore progress() {
        return progress;
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable resource = resources.get(i);
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed", resource, e);
            }
        }
    }
}
