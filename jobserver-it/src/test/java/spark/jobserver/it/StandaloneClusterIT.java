package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Contexts on a real standalone cluster (a master and a 2-core, 2 GB worker on loopback), in client and
 * in cluster deploy mode, checked through the master's own status page. One context at a time: a
 * cluster-mode driver takes a core of the worker itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final Duration START = Duration.ofMinutes(2);
    private static final String SETTINGS = "num-cpu-cores=1&memory-per-node=512m&launcher.spark.driver.memory=512m";
    private static StandaloneCluster cluster;
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        cluster = StandaloneCluster.start();
        // a driver lost on a node is declared dead after the heartbeat timeout: short here, long enough for a
        // supervised driver to come back
        server = TestingJobServer.start("spark.master = \"" + cluster.masterUrl() + "\"\n"
                + "spark.jobserver.driver.heartbeat-interval = 1s\n"
                + "spark.jobserver.driver.heartbeat-timeout = 20s\n");
        server.uploadExamples("test");
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static JsonNode wordCount(String context) {
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + context
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.json().get("result");
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.path(field).asText()));
        return names;
    }

    @Test
    @Order(1)
    void aClientModeContextRunsItsExecutorsOnTheWorker() {
        long started = System.nanoTime();
        server.createContext("sa-client", SETTINGS);
        System.out.printf("CONTEXT-START standalone client mode: %.1f s%n", (System.nanoTime() - started) / 1e9);
        JsonNode context = server.get("/contexts/sa-client").json();
        String appId = context.get("applicationId").asText();
        assertThat(appId).startsWith("app-");

        JsonNode status =
                cluster.awaitJson(j -> names(j.path("activeapps"), "id").contains(appId), Duration.ofSeconds(30));
        JsonNode app = status.path("activeapps").get(0);
        assertThat(app.path("name").asText()).isEqualTo("sa-client");
        assertThat(app.path("cores").asInt()).isEqualTo(1); // num-cpu-cores=1: spark.cores.max
        assertThat(status.path("activedrivers")).isEmpty(); // the driver runs here, not on the worker
        assertThat(wordCount("sa-client").toString()).isEqualTo("{\"a\":2,\"b\":1}");

        assertThat(server.delete("/contexts/sa-client").status()).isEqualTo(200);
        cluster.awaitJson(
                j -> names(j.path("completedapps"), "id").contains(appId)
                        && j.path("activeapps").isEmpty(),
                Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void aClusterModeContextsDriverRunsOnTheWorkerAndDialsBack() {
        long started = System.nanoTime();
        server.createContext("sa-cluster", SETTINGS + "&spark.submit.deployMode=cluster");
        System.out.printf("CONTEXT-START standalone cluster mode: %.1f s%n", (System.nanoTime() - started) / 1e9);
        JsonNode status = cluster.awaitJson(
                j -> j.path("activedrivers").size() == 1 && j.path("activeapps").size() == 1, Duration.ofSeconds(30));
        JsonNode driver = status.path("activedrivers").get(0);
        assertThat(driver.path("state").asText()).isEqualTo("RUNNING");
        assertThat(driver.path("worker").asText()).startsWith("worker-");
        assertThat(driver.path("mainclass").asText()).isEqualTo("spark.jobserver.driver.DriverMain");
        String appId = status.path("activeapps").get(0).path("id").asText();
        assertThat(server.get("/contexts/sa-cluster")
                        .json()
                        .get("applicationId")
                        .asText())
                .isEqualTo(appId);

        // jobs, their binaries (fetched from the server over HTTP) and stream results flow as on one host
        assertThat(wordCount("sa-cluster").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        var stream = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.StreamResultJob&context=sa-cluster&sync=true&timeout=60",
                "stream.size = 12");
        assertThat(stream.body()).isEqualTo("{\"result\":\"0123456789\"}");
        // its log is on the worker: the driver ships it, and the log routes serve what it shipped
        String marker = "cluster-marker-" + java.util.UUID.randomUUID();
        var logging = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.JavaLoggingJob&context=sa-cluster&sync=true&timeout=60",
                "marker = \"" + marker + "\"");
        assertThat(logging.status()).as(logging.toString()).isEqualTo(200);
        String loggingJob = logging.json().get("jobId").asText();
        assertThat(server.await(
                                "/jobs/" + loggingJob + "/logs",
                                r -> r.body().contains("failed " + marker),
                                Duration.ofSeconds(30))
                        .body())
                .contains("[job " + loggingJob + "] ")
                .contains("logged " + marker + " 1")
                .contains("printed " + marker + " 1");
        assertThat(server.get("/contexts/sa-cluster/logs").body()).contains("Shipping this driver's log");

        // a graceful stop: the driver stops its context and exits; its end on the worker is the context's end
        assertThat(server.delete("/contexts/sa-cluster").status()).isEqualTo(200);
        assertThat(server.get("/contexts/sa-cluster").json().get("state").asText())
                .isEqualTo("FINISHED");
        JsonNode after = cluster.awaitJson(j -> j.path("activedrivers").isEmpty(), Duration.ofSeconds(30));
        assertThat(names(after.path("completeddrivers"), "state")).containsExactly("FINISHED");
    }

    @Test
    @Order(3)
    void aForcedStopKillsAClusterModeDriverThroughTheMaster() {
        server.createContext("sa-kill", SETTINGS + "&spark.submit.deployMode=cluster");
        String driverId = cluster.awaitJson(j -> j.path("activedrivers").size() == 1, Duration.ofSeconds(30))
                .path("activedrivers")
                .get(0)
                .path("id")
                .asText();

        assertThat(server.delete("/contexts/sa-kill?force=true").status()).isEqualTo(200);
        assertThat(server.get("/contexts/sa-kill").json().get("state").asText()).isEqualTo("FINISHED");
        JsonNode after = cluster.awaitJson(j -> j.path("activedrivers").isEmpty(), Duration.ofSeconds(60));
        JsonNode killed = null;
        for (JsonNode d : after.path("completeddrivers")) {
            if (d.path("id").asText().equals(driverId)) {
                killed = d;
            }
        }
        assertThat(killed).as(after.toString()).isNotNull();
        assertThat(killed.path("state").asText()).isEqualTo("KILLED");
    }

    /** The driver JVM the worker runs for a context in cluster deploy mode (its arguments name the context). */
    private static ProcessHandle clusterDriver(String contextId) {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> List.of(a).contains(contextId)
                                && String.join(" ", a).contains("DriverWrapper"))
                        .orElse(false))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no driver JVM of context " + contextId + " on the worker"));
    }

    private static String status(String jobId) {
        return server.get("/jobs/" + jobId).json().get("status").asText();
    }

    @Test
    @Order(4)
    void aSupervisedDriverKilledOnItsNodeIsRestartedByTheMasterAndItsJobsStartAgain() throws Exception {
        server.createContext(
                "sa-supervised", SETTINGS + "&spark.submit.deployMode=cluster&launcher.spark.driver.supervise=true");
        JsonNode context = server.get("/contexts/sa-supervised").json();
        String contextId = context.get("id").asText();
        String firstApp = context.get("applicationId").asText();
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=sa-supervised",
                "sleep.time.millis = 4000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();

        ProcessHandle driver = clusterDriver(contextId);
        driver.destroyForcibly(); // kill -9 on the node
        driver.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);

        // the master starts the driver again; it dials back with a new Spark context and gets the job again
        JsonNode restarted = server.await(
                        "/contexts/sa-supervised",
                        r -> !r.json().path("applicationId").asText().equals(firstApp),
                        START)
                .json();
        assertThat(restarted.get("state").asText()).isEqualTo("RUNNING");
        assertThat(restarted.get("id").asText()).isEqualTo(contextId);
        JsonNode job = server.await("/jobs/" + jobId, r -> !status(jobId).equals("RUNNING"), START)
                .json();
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FINISHED");
        assertThat(job.get("result").asLong()).isEqualTo(4000);
        assertThat(clusterDriver(contextId).pid()).isNotEqualTo(driver.pid());
        assertThat(wordCount("sa-supervised").toString()).isEqualTo("{\"a\":2,\"b\":1}");

        assertThat(server.delete("/contexts/sa-supervised").status()).isEqualTo(200);
        cluster.awaitJson(j -> j.path("activedrivers").isEmpty(), Duration.ofSeconds(60));
    }

    @Test
    @Order(5)
    void anUnsupervisedDriverKilledOnItsNodeEndsItsContextInError() throws Exception {
        server.createContext("sa-lost", SETTINGS + "&spark.submit.deployMode=cluster");
        String contextId = server.get("/contexts/sa-lost").json().get("id").asText();
        var started = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=sa-lost", "sleep.time.millis = 60000");
        String jobId = started.json().get("jobId").asText();

        ProcessHandle driver = clusterDriver(contextId);
        driver.destroyForcibly();
        JsonNode lost = server.await(
                        "/contexts/sa-lost", r -> r.json().get("state").asText().equals("ERROR"), START)
                .json();
        assertThat(lost.get("endTime").asText()).isNotEqualTo("Empty");
        JsonNode job = server.get("/jobs/" + jobId).json();
        assertThat(job.get("status").asText()).isEqualTo("ERROR");
        assertThat(job.get("result").get("message").asText()).contains("did not come back");
        JsonNode master = cluster.awaitJson(j -> j.path("activedrivers").isEmpty(), Duration.ofSeconds(30));
        assertThat(names(master.path("completeddrivers"), "state")).contains("FAILED");
    }
}
