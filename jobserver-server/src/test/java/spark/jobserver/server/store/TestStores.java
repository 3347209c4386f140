package spark.jobserver.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.curator.test.TestingServer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import spark.jobserver.server.store.TestDatabases.Backend;

/**
 * The stores of a contract test on every backend: the SQL databases of {@link TestDatabases}, a real ZooKeeper
 * (Curator's {@code TestingServer}) and a real HDFS ({@code MiniDFSCluster}), both in the test JVM. A test class
 * holds one instance in a static field and closes it after all its tests: ZooKeeper and HDFS are started on first
 * use, once per class, under {@code target/}; each test gets an empty ZooKeeper root and HDFS directory of its own.
 */
public final class TestStores implements AutoCloseable {

    /** Where the metadata is. */
    public enum Metadata {
        H2,
        POSTGRESQL,
        MYSQL,
        ZOOKEEPER;

        /** The SQL database of this backend; H2 for ZooKeeper, which keeps binaries' bytes there. */
        public Backend database() {
            return this == ZOOKEEPER ? Backend.H2 : Backend.valueOf(name());
        }
    }

    /** The stores of one test and what lies under them, for assertions that look beneath a store. */
    public record Opened(Stores stores, Database database, ZooKeeper zookeeper, String hdfsDir) {}

    private TestingServer zookeeperServer;
    private MiniDFSCluster hdfs;
    private final List<AutoCloseable> opened = new ArrayList<>();

    /** Stores with the metadata in {@code metadata} and the binaries' bytes in HDFS or the SQL database. */
    public synchronized Opened open(Metadata metadata, boolean bytesInHdfs) {
        Database database = TestDatabases.clean(metadata.database());
        StoreSettings.ZooKeeperSettings zk = StoreSettings.ZooKeeperSettings.DEFAULTS;
        ZooKeeper zookeeper = null;
        if (metadata == Metadata.ZOOKEEPER) {
            zk = new StoreSettings.ZooKeeperSettings(
                    zookeeperServer().getConnectString(), "jobserver/test-" + UUID.randomUUID(), 3, 100, 5000, 10000);
            zookeeper = ZooKeeper.connect(zk);
            opened.add(zookeeper);
        }
        String dir = bytesInHdfs ? hdfs().getURI() + "/test-" + UUID.randomUUID() + "/binaries" : null;
        Stores stores = Stores.open(
                new StoreSettings(
                        bytesInHdfs ? StoreSettings.Binaries.HDFS : StoreSettings.Binaries.SQL,
                        dir,
                        metadata == Metadata.ZOOKEEPER ? StoreSettings.Metadata.ZOOKEEPER : StoreSettings.Metadata.SQL,
                        zk),
                database);
        opened.add(stores);
        return new Opened(stores, database, zookeeper, dir);
    }

    /** How many files {@code dir} has, temporary ones not counted. */
    public static long files(String dir) {
        try (FileSystem fs = FileSystem.newInstance(java.net.URI.create(dir), new Configuration())) {
            long n = 0;
            for (var status : fs.listStatus(new org.apache.hadoop.fs.Path(dir))) {
                n += status.getPath().getName().startsWith(".tmp-") ? 0 : 1;
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestingServer zookeeperServer() {
        if (zookeeperServer == null) {
            try {
                zookeeperServer = new TestingServer(-1, scratch("zookeeper").toFile(), true);
            } catch (Exception e) {
                throw new IllegalStateException("ZooKeeper did not start: " + e, e);
            }
        }
        return zookeeperServer;
    }

    private MiniDFSCluster hdfs() {
        if (hdfs == null) {
            Configuration conf = new Configuration();
            conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, scratch("hdfs").toString());
            conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
            conf.set("dfs.namenode.http-address", "127.0.0.1:0");
            conf.set("dfs.datanode.address", "127.0.0.1:0");
            conf.set("dfs.datanode.http.address", "127.0.0.1:0");
            conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
            try {
                hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
                hdfs.waitActive();
            } catch (IOException e) {
                throw new UncheckedIOException("HDFS did not start", e);
            }
        }
        return hdfs;
    }

    private static Path scratch(String what) {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, "store-test-" + what + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the stores opened, then HDFS and ZooKeeper. */
    @Override
    public synchronized void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
        if (hdfs != null) {
            hdfs.shutdown();
            hdfs = null;
        }
        if (zookeeperServer != null) {
            zookeeperServer.close();
            zookeeperServer = null;
        }
    }
}
