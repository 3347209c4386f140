package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnsupportedSettingsTest {

    private record Checked(List<String> warnings, List<String> problems) {}

    /** The bundled defaults overridden by {@code hocon}, checked. */
    private static Checked check(String hocon) {
        Config config = Configs.load(null, ConfigFactory.parseString(hocon));
        ConfigProblems problems = new ConfigProblems(config);
        List<String> warnings = UnsupportedSettings.check(config, problems);
        return new Checked(warnings, problems.list());
    }

    @Test
    void theBundledDefaultsAloneWarnAboutNothing() {
        Checked checked = check("");
        assertThat(checked.warnings()).isEmpty();
        assertThat(checked.problems()).isEmpty();
    }

    @Test
    void theExampleConfigurationWarnsAboutNothing() {
        Config config = Configs.load(Path.of("../conf/jobserver.conf.example"));
        ConfigProblems problems = new ConfigProblems(config);
        assertThat(UnsupportedSettings.check(config, problems)).isEmpty();
        assertThat(problems.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            spark.jobserver.context-per-jvm = false | spark.jobserver.context-per-jvm = false is ignored: every context runs in its own driver JVM anyway
            spark.jobserver.short-timeout = 3s | spark.jobserver.short-timeout = "3s" is ignored: there is no generic ask timeout
            spark.jobserver.dao-timeout = 6s | spark.jobserver.dao-timeout = "6s" is ignored: database calls are plain JDBC calls
            spark.jobserver.context-lookup-timeout = 1s | spark.jobserver.context-lookup-timeout = "1s" is ignored: PUT /contexts?reset=reboot reads
            spark.jobserver.startH2Server = true | spark.jobserver.startH2Server = true is ignored: no H2 TCP server is started
            spark.jobserver.ha.masters = ["10.0.0.1:2552"] | spark.jobserver.ha.masters = ["10.0.0.1:2552"] is ignored: the Akka cluster of the original is not used
            spark.jobserver.sqldao.slick-driver = slick.jdbc.PostgresProfile | spark.jobserver.sqldao.slick-driver = "slick.jdbc.PostgresProfile" is ignored: the SQL dialect follows spark.jobserver.sqldao.jdbc.url
            spark.jobserver.sqldao.dbcp.enabled = true | spark.jobserver.sqldao.dbcp.enabled = true is ignored: the connection pool (HikariCP) is always on
            spark.jobserver.sqldao.dbcp.maxidle = 10 | spark.jobserver.sqldao.dbcp.maxidle = 10 is ignored: the connection pool (HikariCP) is sized by
            spark.jobserver.sqldao.dbcp.initialsize = 10 | spark.jobserver.sqldao.dbcp.initialsize = 10 is ignored: the connection pool (HikariCP) is sized by
            flyway.locations = db/postgresql/migration | flyway.locations = "db/postgresql/migration" is ignored: the schema is created and upgraded by this server's own migrations
            spark.jobserver.cache-on-upload = false | spark.jobserver.cache-on-upload = false is ignored: an uploaded binary is always put in the local cache
            spark.jobserver.kill-context-on-supervisor-down = true | spark.jobserver.kill-context-on-supervisor-down = true is ignored: a driver that loses the server retries it
            spark.jobserver.manager-initialization-timeout = 40s | spark.jobserver.manager-initialization-timeout = "40s" is ignored: a context's driver must be up within
            spark.jobserver.network-address-resolver = manual | spark.jobserver.network-address-resolver = "manual" is ignored: drivers dial the server at its bind-address
            spark.jobserver.zookeeperdao.autopurge = true | spark.jobserver.zookeeperdao.autopurge = true is ignored: ended jobs and contexts are pruned by dao-cleanup-after
            spark.jobserver.zookeeperdao.autopurge_after_hours = 24 | spark.jobserver.zookeeperdao.autopurge_after_hours = 24 is ignored: ended jobs and contexts are pruned by dao-cleanup-after
            spark.jobserver.startup_dao_cleanup_class = x.Cleanup | spark.jobserver.startup_dao_cleanup_class = "x.Cleanup" is ignored: no cleanup class is run at start
            spark.jobserver.healthcheck = spark.jobserver.util.ActorsHealthCheck | spark.jobserver.healthcheck = "spark.jobserver.util.ActorsHealthCheck" is ignored: GET /healthz is built in
            spark.jobserver.filedao.rootdir = /tmp/filedao | spark.jobserver.filedao.rootdir = "/tmp/filedao" is ignored: there is no file store
            spark.jobserver.job-result-cache-size = 5000 | spark.jobserver.job-result-cache-size = 5000 is ignored: results are stored with their job in the database
            spark.jobserver.ignore-akka-hostname = false | spark.jobserver.ignore-akka-hostname = false is ignored: there is no Akka remoting
            spark.jobserver.cassandra.hosts = ["c1"] | spark.jobserver.cassandra.hosts = ["c1"] is ignored: there is no Cassandra store
            spray.can.server.request-timeout = 60s | spray.can.server.request-timeout = "60s" is ignored: the HTTP server reads akka.http.server.*
            shiro.config.path = /etc/shiro.ini | shiro.config.path = "/etc/shiro.ini" is ignored: authentication is configured under access-control
            akka.remote.netty.tcp.maximum-frame-size = 100MiB | akka.remote.netty.tcp.maximum-frame-size = "100MiB" is ignored: there is no Akka remoting
            akka.cluster.auto-down-unreachable-after = off | akka.cluster.auto-down-unreachable-after = "off" is ignored: there is no Akka cluster
            akka.http.server.enabledProtocols = ["TLSv1.2"] | akka.http.server.enabledProtocols = ["TLSv1.2"] is ignored: TLS 1.2 and 1.3 are enabled
            """)
    void eachIgnoredKeyThatIsSetIsWarnedAboutOnce(String hocon, String warning) {
        Checked checked = check(hocon);
        assertThat(checked.warnings()).singleElement().asString().startsWith(warning);
        assertThat(checked.problems()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "spark.jobserver.context-per-jvm = true",
                "spark.submit.deployMode = client",
                "spark.submit.deployMode = cluster",
                "spark.driver.supervise = false",
                "spark.driver.supervise = true",
                "spark.jobserver.startH2Server = false",
                "spark.jobserver.ha.masters = []",
                "spark.jobserver.cache-on-upload = true",
                "spark.jobserver.startup_dao_cleanup_class = \"\"",
                "spark.jobserver.sqldao.dbcp.maxactive = 50",
                "spark.jobserver.binarydao.class = spark.jobserver.io.SqlBinaryObjectsDAO",
                "spark.jobserver.binarydao.class = spark.jobserver.io.BinarySqlDAO",
                "spark.jobserver.metadatadao.class = spark.jobserver.io.MetaDataSqlDAO",
                "spark.jobserver.jobdao = spark.jobserver.io.JobSqlDAO",
                "akka.http.server.request-timeout = 60s"
            })
    void whatThisServerDoesAnywayIsAcceptedSilently(String hocon) {
        Checked checked = check(hocon);
        assertThat(checked.warnings()).isEmpty();
        assertThat(checked.problems()).isEmpty();
    }

    @Test
    void everyKeyUnderAnIgnoredBlockIsWarnedAbout() {
        Checked checked = check("""
                spark.jobserver.cassandra {
                  hosts = ["c1", "c2"]
                  user = cassandra
                }
                """);
        assertThat(checked.warnings())
                .containsExactly(
                        "spark.jobserver.cassandra.hosts = [\"c1\",\"c2\"] is ignored: there is no Cassandra store:"
                                + " everything is kept in the SQL database (spark.jobserver.sqldao.jdbc.url)",
                        "spark.jobserver.cassandra.user = \"cassandra\" is ignored: there is no Cassandra store:"
                                + " everything is kept in the SQL database (spark.jobserver.sqldao.jdbc.url)");
    }

    @Test
    void theStoresOfTheOriginalAreAcceptedSilently() {
        Checked checked = check("""
                spark.jobserver.binarydao.class = spark.jobserver.io.HdfsBinaryObjectsDAO
                spark.jobserver.binarydao.dir = "hdfs://nn:8020/sjs/binaries"
                spark.jobserver.metadatadao.class = spark.jobserver.io.zookeeper.MetaDataZookeeperDAO
                spark.jobserver.zookeeperdao { connection-string = "zk1:2181,zk2:2181", dir = "jobserver/db" }
                """);
        assertThat(checked.warnings()).isEmpty();
        assertThat(checked.problems()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            spark.jobserver.jobdao | spark.jobserver.io.JobFileDAO | jobs, binaries and contexts | files
            spark.jobserver.jobdao | spark.jobserver.io.JobCassandraDAO | jobs, binaries and contexts | Cassandra
            """)
    void aDaoOtherThanTheSqlOneIsRefused(String key, String className, String what, String store) {
        Checked checked = check(key + " = \"" + className + "\"");
        assertThat(checked.warnings()).isEmpty();
        assertThat(checked.problems())
                .singleElement()
                .asString()
                .startsWith(key + " = " + className + ": this server keeps " + what
                        + " only in its SQL database (spark.jobserver.sqldao.jdbc.url) and cannot read them from "
                        + store + ", so it would start without them");
    }

    @Test
    void theServerRefusesToStartNamingEveryRefusedKey() {
        assertThatThrownBy(() -> ServerConfig.from(Configs.load(null, ConfigFactory.parseString("""
                        spark.jobserver.binarydao.class = com.example.S3BinaryDAO
                        spark.jobserver.metadatadao.class = com.example.MyMetaDataDAO
                        spark.jobserver.jobdao = spark.jobserver.io.JobFileDAO
                        spark.jobserver.port = not-a-port
                        """))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid configuration:")
                .hasMessageContaining(
                        "spark.jobserver.binarydao.class = com.example.S3BinaryDAO: not a store this" + " server has")
                .hasMessageContaining("spark.jobserver.io.HdfsBinaryObjectsDAO")
                .hasMessageContaining("spark.jobserver.metadatadao.class = com.example.MyMetaDataDAO: not a store")
                .hasMessageContaining("spark.jobserver.io.zookeeper.MetaDataZookeeperDAO")
                .hasMessageContaining("spark.jobserver.jobdao = spark.jobserver.io.JobFileDAO")
                .hasMessageContaining("spark.jobserver.port");
    }

    @Test
    void theOriginalsShiroBlockWithoutAProviderIsRefusedRatherThanLeftOpen() {
        assertThat(check("shiro { authentication = on, config.path = /etc/shiro.ini }")
                        .problems())
                .singleElement()
                .asString()
                .contains("shiro.authentication = on")
                .contains("would start with none and serve every request to anyone");
        Checked withProvider = check("""
                shiro { authentication = on }
                access-control.provider = spark.jobserver.auth.ShiroAccessControl
                """);
        assertThat(withProvider.problems()).isEmpty();
        assertThat(withProvider.warnings()).singleElement().asString().startsWith("shiro.authentication");
        assertThat(check("shiro.authentication = off").problems()).isEmpty();
    }

    @Test
    void aDaoClassThatIsNotAStringIsAProblem() {
        assertThat(check("spark.jobserver.jobdao { name = x }").problems())
                .singleElement()
                .asString()
                .contains("spark.jobserver.jobdao");
    }

    @Test
    void warningsAreLoggedWhenTheConfigurationIsBound() {
        List<String> logged = new CopyOnWriteArrayList<>();
        var logger = (org.apache.logging.log4j.core.Logger) LogManager.getLogger(ServerConfig.class);
        var appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                logged.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        logger.addAppender(appender);
        try {
            ServerConfig.from(Configs.load(
                    null,
                    ConfigFactory.parseString(
                            "spark.jobserver.context-per-jvm = false\nspark.jobserver.startH2Server = true")));
        } finally {
            logger.removeAppender(appender);
            appender.stop();
        }
        assertThat(logged)
                .containsExactly(
                        "WARN spark.jobserver.context-per-jvm = false is ignored: every context runs in its own"
                                + " driver JVM anyway",
                        "WARN spark.jobserver.startH2Server = true is ignored: no H2 TCP server is started: the H2"
                                + " database is embedded in this server; to share a database, use PostgreSQL or"
                                + " MySQL (spark.jobserver.sqldao.jdbc.url)");
    }
}
