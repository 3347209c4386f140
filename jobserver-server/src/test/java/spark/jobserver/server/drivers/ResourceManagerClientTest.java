package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResourceManagerClientTest {
    private HttpServer rm;

    @AfterEach
    void stop() {
        if (rm != null) {
            rm.stop(0);
        }
    }

    private static String siteXml(Map<String, String> properties) {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<configuration>\n");
        properties.forEach((k, v) -> xml.append("  <property>\n    <name>")
                .append(k)
                .append("</name>\n    <value>")
                .append(v)
                .append("</value>\n  </property>\n"));
        return xml.append("</configuration>\n").toString();
    }

    @Test
    void theAddressComesFromYarnSiteXmlOfHadoopConfDirWithHadoopsVariables(@TempDir Path dir) throws Exception {
        Path hadoop = Files.createDirectories(dir.resolve("hadoop"));
        Path yarn = Files.createDirectories(dir.resolve("yarn"));
        Files.writeString(
                hadoop.resolve("yarn-site.xml"),
                siteXml(Map.of(
                        "yarn.resourcemanager.hostname", "rm.example.org",
                        "yarn.resourcemanager.webapp.address", "${yarn.resourcemanager.hostname}:18088")));
        Files.writeString(
                yarn.resolve("yarn-site.xml"), siteXml(Map.of("yarn.resourcemanager.webapp.address", "other:1")));
        Map<String, String> env = Map.of("HADOOP_CONF_DIR", hadoop.toString(), "YARN_CONF_DIR", yarn.toString());

        assertThat(ResourceManagerClient.webapps(ResourceManagerClient.hadoopConf(env, Map.of())))
                .containsExactly(URI.create("http://rm.example.org:18088"));
        // only YARN_CONF_DIR: its file
        assertThat(ResourceManagerClient.webapps(
                        ResourceManagerClient.hadoopConf(Map.of("YARN_CONF_DIR", yarn.toString()), Map.of())))
                .containsExactly(URI.create("http://other:1"));
        // the context's spark.hadoop.* settings win over the files
        assertThat(ResourceManagerClient.webapps(ResourceManagerClient.hadoopConf(
                        env, Map.of("spark.hadoop.yarn.resourcemanager.webapp.address", "ctx-rm:8088"))))
                .containsExactly(URI.create("http://ctx-rm:8088"));
        // nothing at all: YARN's default
        assertThat(ResourceManagerClient.webapps(ResourceManagerClient.hadoopConf(Map.of(), Map.of())))
                .containsExactly(URI.create("http://0.0.0.0:8088"));
    }

    @Test
    void withHaEveryResourceManagerIsAskedAndHttpsOnlyUsesTheHttpsAddress() {
        assertThat(ResourceManagerClient.webapps(Map.of(
                        "yarn.resourcemanager.ha.enabled", "true",
                        "yarn.resourcemanager.ha.rm-ids", "rm1, rm2",
                        "yarn.resourcemanager.webapp.address.rm1", "a:8088",
                        "yarn.resourcemanager.hostname.rm2", "b")))
                .containsExactly(URI.create("http://a:8088"), URI.create("http://b:8088"));
        assertThat(ResourceManagerClient.webapps(Map.of(
                        "yarn.http.policy", "HTTPS_ONLY",
                        "yarn.resourcemanager.hostname", "rm",
                        "yarn.resourcemanager.webapp.address", "rm:8088")))
                .containsExactly(URI.create("https://rm:8090"));
    }

    @Test
    void aKillPutsTheKilledStateAsTheUserAndWaitsUntilYarnReportsIt() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        AtomicInteger polls = new AtomicInteger();
        rm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        rm.createContext("/ws/v1/cluster/apps/application_1_0007/state", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body);
            if (exchange.getRequestMethod().equals("PUT")) {
                reply(exchange, 202, "{\"state\":\"RUNNING\"}");
            } else {
                reply(
                        exchange,
                        200,
                        polls.incrementAndGet() < 3 ? "{\"state\":\"RUNNING\"}" : "{\"state\":\"KILLED\"}");
            }
        });
        rm.start();
        ResourceManagerClient client = new ResourceManagerClient(
                List.of(URI.create("http://127.0.0.1:" + freePort()), address(rm)), "alice", Duration.ofSeconds(10));

        // the first ResourceManager (a standby that is down) is passed over
        assertThat(client.kill("application_1_0007")).isEqualTo("KILLED");
        assertThat(requests.get(0))
                .isEqualTo("PUT /ws/v1/cluster/apps/application_1_0007/state?user.name=alice {\"state\":\"KILLED\"}");
        assertThat(requests).hasSize(4);
        assertThat(requests.get(3)).startsWith("GET /ws/v1/cluster/apps/application_1_0007/state?user.name=alice");
    }

    @Test
    void aRefusedKillSaysWhatTheResourceManagerAnswered() throws Exception {
        rm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        rm.createContext(
                "/ws/v1/cluster/apps/",
                exchange -> reply(exchange, 403, "The default static user cannot carry out this operation."));
        rm.start();
        ResourceManagerClient client = new ResourceManagerClient(List.of(address(rm)), "dr.who", Duration.ofSeconds(1));
        assertThatThrownBy(() -> client.kill("application_1_0001"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("refused to kill application_1_0001 (403)")
                .hasMessageContaining("static user");
    }

    @Test
    void aKillThatYarnNeverCompletesFailsAfterTheWait() throws Exception {
        rm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        rm.createContext(
                "/ws/v1/cluster/apps/",
                exchange -> reply(
                        exchange, exchange.getRequestMethod().equals("PUT") ? 202 : 200, "{\"state\":\"RUNNING\"}"));
        rm.start();
        ResourceManagerClient client = new ResourceManagerClient(List.of(address(rm)), "alice", Duration.ofMillis(600));
        assertThatThrownBy(() -> client.kill("application_1_0002"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("still RUNNING");
    }

    @Test
    void noReachableResourceManagerIsAnIoException() throws Exception {
        ResourceManagerClient client = new ResourceManagerClient(
                List.of(URI.create("http://127.0.0.1:" + freePort())), "alice", Duration.ofSeconds(1));
        assertThatThrownBy(() -> client.kill("application_1_0003"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot reach the ResourceManager");
    }

    @Test
    void theUserIsTheProxyUserElseHadoopUserNameElseTheServers() throws Exception {
        assertThat(ResourceManagerClient.forContext(Map.of("HADOOP_USER_NAME", "hdfs"), Map.of(), "bob")
                        .user())
                .isEqualTo("bob");
        assertThat(ResourceManagerClient.forContext(Map.of("HADOOP_USER_NAME", "hdfs"), Map.of(), "")
                        .user())
                .isEqualTo("hdfs");
        assertThat(ResourceManagerClient.forContext(Map.of(), Map.of(), "").user())
                .isEqualTo(System.getProperty("user.name"));
    }

    private static URI address(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
