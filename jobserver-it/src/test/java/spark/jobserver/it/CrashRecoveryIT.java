package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server killed with SIGKILL and started again on the same root, with real driver JVMs: nothing a
 * user already got an answer for is lost, and nothing stays RUNNING forever.
 */
class CrashRecoveryIT {
    private JobServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDriverOutlivesAKilledServerIsAdoptedAgainAndItsJobFinishes() throws Exception {
        server = JobServerProcess.start("", "256m");
        TestingJobServer http = server.http();
        http.uploadExamples("test");
        http.createContext("survivor", "");
        String contextId = http.get("/contexts/survivor").json().get("id").asText();
        var started = http.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=survivor", "sleep.time.millis = 10000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        http.await("/jobs/" + jobId, r -> status(r).equals("RUNNING"), Duration.ofSeconds(30));

        server.kill9();
        ProcessHandle driver = server.driverProcess(contextId).orElseThrow();
        assertThat(driver.isAlive()).as("the driver outlives the server").isTrue();
        // A job whose end the dead server never recorded: the driver no longer runs it.
        String lostJob = "00000000-0000-0000-0000-00000000dead";
        try (Connection c =
                DriverManager.getConnection("jdbc:h2:file:" + server.root().resolve("sqldao/data/h2-db"), "", "")) {
            c.createStatement()
                    .executeUpdate("INSERT INTO jobs (id, context_id, context_name, class_path, config, status,"
                            + " start_time) VALUES ('" + lostJob + "', '" + contextId
                            + "', 'survivor', 'spark.jobserver.SleepJob',"
                            + " '{}', 'RUNNING', " + System.currentTimeMillis() + ")");
        }
        server.startAgain();

        // The job goes on in the re-adopted driver and its end is recorded.
        JsonNode job = http.await("/jobs/" + jobId, r -> !status(r).equals("RUNNING"), Duration.ofSeconds(120))
                .json();
        assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("FINISHED");
        assertThat(job.get("result").asLong()).isEqualTo(10000);
        assertThat(http.get("/contexts/survivor").json().get("id").asText()).isEqualTo(contextId);
        assertThat(http.get("/contexts/survivor").json().get("state").asText()).isEqualTo("RUNNING");
        assertThat(server.driverProcess(contextId)).contains(driver);

        // and the context takes new jobs
        var more = http.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=survivor"
                        + "&sync=true&timeout=60",
                "input.string = a b a");
        assertThat(more.status()).as(more.toString()).isEqualTo(200);
        assertThat(more.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        JsonNode lost = http.await("/jobs/" + lostJob, r -> status(r).equals("ERROR"), Duration.ofSeconds(60))
                .json();
        assertThat(lost.get("result").get("message").asText())
                .contains("no longer run by the driver of context survivor");
        assertThat(http.get("/jobs?status=RUNNING").json()).isEmpty();
    }

    @Test
    void driversThatDieOrHangWhileTheServerIsDownEndInErrorWithTheirJobs() throws Exception {
        // no driver comes back in this test: a short re-attach timeout only shortens the wait for the frozen one
        server = JobServerProcess.start("spark.jobserver.driver.reattach-timeout = 6s", "256m");
        TestingJobServer http = server.http();
        http.uploadExamples("test");
        http.createContext("gone", "");
        http.createContext("frozen", "");
        String goneId = http.get("/contexts/gone").json().get("id").asText();
        String frozenId = http.get("/contexts/frozen").json().get("id").asText();
        String goneJob = startSleep(http, "gone");
        String frozenJob = startSleep(http, "frozen");

        server.kill9();
        ProcessHandle goneDriver = server.driverProcess(goneId).orElseThrow();
        ProcessHandle frozenDriver = server.driverProcess(frozenId).orElseThrow();
        goneDriver.destroy(); // SIGTERM: the driver stops as it would on a machine shutdown
        goneDriver.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
        signal("STOP", frozenDriver); // alive, but never comes back
        try {
            server.startAgain();

            // A driver that is gone is noticed at once.
            assertThat(http.get("/contexts/gone").json().get("state").asText()).isEqualTo("ERROR");
            JsonNode job = http.get("/jobs/" + goneJob).json();
            assertThat(job.get("status").asText()).isEqualTo("ERROR");
            assertThat(job.get("result").get("message").asText())
                    .contains("gone")
                    .contains("lost while the server was down")
                    .contains("pid " + goneDriver.pid());
            assertThat(http.get("/contexts").json())
                    .extracting(JsonNode::asText)
                    .doesNotContain("gone");

            // One that is alive but does not re-attach is given up after the re-attach timeout, and killed.
            assertThat(http.get("/jobs/" + frozenJob).json().get("status").asText())
                    .isEqualTo("RUNNING");
            JsonNode frozen = http.await(
                            "/contexts/frozen",
                            r -> r.json().get("state").asText().equals("ERROR"),
                            Duration.ofSeconds(60))
                    .json();
            assertThat(frozen.get("endTime").asText()).isNotEqualTo("Empty");
            JsonNode frozenJobNow = http.await(
                            "/jobs/" + frozenJob, r -> status(r).equals("ERROR"), Duration.ofSeconds(10))
                    .json();
            assertThat(frozenJobNow.get("result").get("message").asText()).contains("did not re-attach");
            frozenDriver.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(http.get("/jobs?status=RUNNING").json()).isEmpty();
        } finally {
            if (frozenDriver.isAlive()) {
                signal("CONT", frozenDriver);
            }
        }
    }

    @Test
    void anUploadCutByAKillIsNeverListedAndItsTemporaryFileGoes() throws Exception {
        server = JobServerProcess.start("akka.http.server.parsing.max-content-length = 100m", "256m");
        TestingJobServer http = server.http();
        http.uploadExamples("whole");
        CountDownLatch release = new CountDownLatch(1);
        // 5 MiB of a zip header and zeros, then a stall until the server is dead.
        InputStream body = new InputStream() {
            private long sent;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (sent >= 5L << 20) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return -1;
                }
                int n = (int) Math.min(len, (5L << 20) - sent);
                java.util.Arrays.fill(b, off, off + n, (byte) 0);
                if (sent == 0 && n >= 4) {
                    b[off] = 'P';
                    b[off + 1] = 'K';
                    b[off + 2] = 3;
                    b[off + 3] = 4;
                }
                sent += n;
                return n;
            }
        };
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> upload = client.sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/binaries/half"))
                        .header("Content-Type", "application/java-archive")
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> body), 50L << 20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Path binaries = server.root().resolve("binaries");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (temporaryFiles(binaries).stream().noneMatch(p -> size(p) >= 4L << 20)) {
            assertThat(System.nanoTime())
                    .as("the upload's temporary file grows")
                    .isLessThan(deadline);
            assertThat(upload).isNotDone();
            JobServerProcess.sleep(100);
        }

        server.kill9();
        release.countDown();
        assertThat(temporaryFiles(binaries)).isNotEmpty();
        server.startAgain();

        assertThat(http.get("/binaries").json().has("half")).isFalse();
        assertThat(http.get("/binaries").json().has("whole")).isTrue();
        assertThat(http.get("/binaries/half").status()).isEqualTo(404);
        assertThat(temporaryFiles(binaries)).isEmpty();
    }

    private static String startSleep(TestingJobServer http, String context) {
        var started = http.post(
                "/jobs?appName=test&classPath=spark.jobserver.SleepJob&context=" + context,
                "sleep.time.millis = 600000");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        http.await("/jobs/" + jobId, r -> status(r).equals("RUNNING"), Duration.ofSeconds(30));
        return jobId;
    }

    private static String status(TestingJobServer.Reply reply) {
        return reply.json().get("status").asText();
    }

    private static void signal(String signal, ProcessHandle process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part"))
                    .toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
