package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server with its metadata in ZooKeeper and its binaries' bytes in HDFS, chosen by the original's keys: a
 * real ZooKeeper (Curator's TestingServer) and a real HDFS (MiniDFSCluster) in the test JVM, a real driver.
 */
class ZooKeeperHdfsStoresIT {
    private static TestingServer zookeeper;
    private static MiniDFSCluster hdfs;
    private static String binariesDir;

    @BeforeAll
    static void startStores() throws Exception {
        Path dir = Files.createTempDirectory("jobserver-it-stores-");
        zookeeper = new TestingServer(-1, dir.resolve("zookeeper").toFile(), true);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        conf.set("dfs.namenode.rpc-address", "127.0.0.1:0");
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        binariesDir = hdfs.getURI() + "/sjs/binaries";
    }

    @AfterAll
    static void stopStores() throws Exception {
        if (hdfs != null) {
            hdfs.shutdown();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    private static String storesConfig(String zookeeperAddress) {
        return "spark.jobserver.binarydao.class = spark.jobserver.io.HdfsBinaryObjectsDAO\n"
                + "spark.jobserver.binarydao.dir = \"" + binariesDir + "\"\n"
                + "spark.jobserver.metadatadao.class = spark.jobserver.io.zookeeper.MetaDataZookeeperDAO\n"
                + "spark.jobserver.zookeeperdao.connection-string = \"" + zookeeperAddress + "\"\n"
                + "spark.jobserver.zookeeperdao.curator.connectionTimeoutMs = 2000\n";
    }

    @Test
    void aJobRunsOnZooKeeperAndHdfsAndAllOfItIsThereAfterARestart() throws Exception {
        try (TestingJobServer server = TestingJobServer.start(storesConfig(zookeeper.getConnectString()))) {
            server.uploadExamples("zk-app");
            assertThat(binariesInHdfs()).isEqualTo(1);
            server.createContext("zk-ctx", "");
            var reply = server.post(
                    "/jobs?appName=zk-app&classPath=spark.jobserver.WordCountExample&context=zk-ctx&sync=true&timeout=60",
                    "input.string = \"a b c a b see\"",
                    "application/x-www-form-urlencoded");
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            String jobId = reply.json().get("jobId").asText();

            server.restart();

            assertThat(server.get("/binaries")
                            .json()
                            .get("zk-app")
                            .get("binary-type")
                            .asText())
                    .isEqualTo("Jar");
            JsonNode job = server.get("/jobs/" + jobId).json();
            assertThat(job.get("status").asText()).isEqualTo("FINISHED");
            assertThat(job.get("result").toString()).isEqualTo("{\"a\":2,\"b\":2,\"c\":1,\"see\":1}");
            assertThat(server.get("/jobs/" + jobId + "/config")
                            .json()
                            .get("input")
                            .get("string")
                            .asText())
                    .isEqualTo("a b c a b see");
            assertThat(server.get("/jobs?limit=10").json()).hasSize(1);
            // the driver lived on through the restart and re-attaches to the new server
            server.await("/contexts/zk-ctx", r -> r.status() == 200, Duration.ofSeconds(60));

            assertThat(server.delete("/contexts/zk-ctx").status()).isEqualTo(200);
            assertThat(server.delete("/binaries/zk-app").status()).isEqualTo(200);
            assertThat(binariesInHdfs()).isZero();
        }
    }

    @Test
    void aZooKeeperThatCannotBeReachedFailsTheStartAtOnce() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> TestingJobServer.start(storesConfig("127.0.0.1:" + port))
                        .close())
                .hasMessageContaining("ZooKeeper at 127.0.0.1:" + port + " cannot be reached");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    private static long binariesInHdfs() throws Exception {
        try (FileSystem fs = FileSystem.newInstance(URI.create(binariesDir), new Configuration())) {
            return fs.listStatus(new org.apache.hadoop.fs.Path(binariesDir)).length;
        }
    }
}
