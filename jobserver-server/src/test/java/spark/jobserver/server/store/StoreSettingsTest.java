package spark.jobserver.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import spark.jobserver.server.binaries.HdfsBinaryContent;
import spark.jobserver.server.config.ConfigProblems;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

class StoreSettingsTest {

    private static StoreSettings bind(String hocon, ConfigProblems problems) {
        return StoreSettings.from(Configs.load(null, ConfigFactory.parseString(hocon)), problems);
    }

    private static StoreSettings bind(String hocon) {
        ConfigProblems problems = new ConfigProblems();
        StoreSettings settings = bind(hocon, problems);
        assertThat(problems.list()).isEmpty();
        return settings;
    }

    @Test
    void theDefaultsKeepEverythingInTheSqlDatabaseAndPinTheOriginalsZooKeeperSettings() {
        assertThat(bind("")).isEqualTo(StoreSettings.sql());
        assertThat(StoreSettings.ZooKeeperSettings.DEFAULTS)
                .isEqualTo(new StoreSettings.ZooKeeperSettings("localhost:2181", "jobserver/db", 3, 1000, 2350, 10000));
        assertThat(ServerConfig.from(Configs.load(null, ConfigFactory.empty())).stores())
                .isEqualTo(StoreSettings.sql());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spark.jobserver.io.HdfsBinaryObjectsDAO", "spark.jobserver.io.HdfsBinaryDAO"})
    void hdfsBinariesAndZooKeeperMetadataAreChosenByTheOriginalsKeys(String hdfsClass) {
        StoreSettings settings = bind("spark.jobserver.binarydao.class = " + hdfsClass + "\n"
                + "spark.jobserver.binarydao.dir = \"hdfs://nn:8020/sjs/binaries\"\n"
                + "spark.jobserver.metadatadao.class = spark.jobserver.io.zookeeper.MetaDataZookeeperDAO\n"
                + "spark.jobserver.zookeeperdao { connection-string = \"zk1:2181,zk2:2181\", dir = \"/sjs/meta/\"\n"
                + "  curator { retries = 5, sleepMsBetweenRetries = 200, connectionTimeoutMs = 3000,"
                + " sessionTimeoutMs = 20000 } }");
        assertThat(settings)
                .isEqualTo(new StoreSettings(
                        StoreSettings.Binaries.HDFS,
                        "hdfs://nn:8020/sjs/binaries",
                        StoreSettings.Metadata.ZOOKEEPER,
                        new StoreSettings.ZooKeeperSettings("zk1:2181,zk2:2181", "sjs/meta", 5, 200, 3000, 20000)));
    }

    @Test
    void theSqlNamesChooseTheSqlDatabaseAndADirWithoutHdfsIsUnused() {
        assertThat(bind("""
                        spark.jobserver.binarydao.class = spark.jobserver.io.BinarySqlDAO
                        spark.jobserver.binarydao.dir = "hdfs://nn:8020/unused"
                        spark.jobserver.metadatadao.class = spark.jobserver.io.MetaDataSqlDAO
                        """)).isEqualTo(StoreSettings.sql());
    }

    @Test
    void everyBadStoreSettingIsReportedAtOnce() {
        ConfigProblems problems = new ConfigProblems();
        bind("""
                spark.jobserver.binarydao.class = spark.jobserver.io.HdfsBinaryObjectsDAO
                spark.jobserver.metadatadao.class = spark.jobserver.io.MetaDataCassandraDAO
                spark.jobserver.zookeeperdao.curator.retries = -1
                spark.jobserver.zookeeperdao.dir = "a//b"
                """, problems);
        assertThat(problems.list())
                .hasSize(4)
                .anySatisfy(p -> assertThat(p).startsWith("spark.jobserver.binarydao.dir: must be set"))
                .anySatisfy(p -> assertThat(p)
                        .startsWith("spark.jobserver.metadatadao.class = spark.jobserver.io.MetaDataCassandraDAO: not a"
                                + " store this server has"))
                .anySatisfy(p -> assertThat(p).contains("curator.retries").contains("at least 0"))
                .anySatisfy(p -> assertThat(p).contains("zookeeperdao.dir"));
    }

    @Test
    void aZooKeeperThatCannotBeReachedFailsWithinTheConnectionTimeout() throws Exception {
        int port = closedPort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ZooKeeper.connect(
                        new StoreSettings.ZooKeeperSettings("127.0.0.1:" + port, "jobserver/db", 3, 100, 1000, 10000)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ZooKeeper at 127.0.0.1:" + port + " cannot be reached")
                .hasMessageContaining("connectionTimeoutMs = 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anHdfsThatCannotBeReachedFailsTheStartWithinItsTimeout() throws Exception {
        int port = closedPort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> HdfsBinaryContent.open("hdfs://127.0.0.1:" + port + "/sjs", Duration.ofSeconds(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("hdfs://127.0.0.1:" + port + "/sjs (spark.jobserver.binarydao.dir)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    /** A loopback port nothing listens on. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
