package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * Jobs that return a {@code java.io.InputStream}: the driver uploads the bytes, the server keeps them on
 * disk and relays them chunked, in the sync reply and in {@code GET /jobs/<id>}, without holding them
 * in memory; and the size limits of both kinds of result. One shared context.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamResultsIT {
    private static final String CTX = "stream-ctx";
    private static final int CHUNK = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestingJobServer server;
    private static CallbackReceiver receiver;

    @BeforeAll
    static void start() {
        receiver = new CallbackReceiver();
        server = TestingJobServer.start("""
                spark.jobserver.result-chunk-size = 64k
                spark.jobserver.max-stream-result-size = 60m
                spark.jobserver.driver.max-message-size = 256k
                spark.jobserver.driver.heartbeat-interval = 1s
                spark.jobserver.driver.heartbeat-timeout = 3s
                """);
        server.uploadExamples("test");
        server.createContext(CTX, "");
    }

    @AfterAll
    static void stop() {
        server.close();
        receiver.close();
    }

    private static String streamJob(String extra) {
        return "/jobs?appName=test&classPath=spark.jobserver.StreamResultJob&context=" + CTX + extra;
    }

    @Test
    @Order(1)
    void aSyncStreamResultIsSplicedIntoTheReplyChunked() {
        var reply = server.post(streamJob("&sync=true&timeout=60"), "stream.size = 12");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"result\":\"0123456789\"}");
        assertThat(reply.header("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(reply.header("Content-Length")).isEmpty();
    }

    @Test
    @Order(2)
    void anAsyncStreamResultIsServedWithTheJobReport() {
        var started = server.post(
                streamJob("&callbackUrl=" + URLEncoder.encode(receiver.url("/stream"), StandardCharsets.UTF_8)),
                "stream.size = 8");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();

        JsonNode job = server.await(
                        "/jobs/" + jobId,
                        r -> r.json().get("status").asText().equals("FINISHED"),
                        Duration.ofSeconds(60))
                .json();
        assertThat(job.get("jobId").asText()).isEqualTo(jobId);
        assertThat(job.get("classPath").asText()).isEqualTo("spark.jobserver.StreamResultJob");
        assertThat(job.get("context").asText()).isEqualTo(CTX);
        assertThat(job.get("duration").asText()).endsWith(" secs");
        assertThat(job.get("result").asText()).isEqualTo("012345");
        // a listing never carries results
        JsonNode listed = server.get("/jobs?limit=5").json();
        assertThat(listed).anySatisfy(j -> {
            assertThat(j.get("jobId").asText()).isEqualTo(jobId);
            assertThat(j.has("result")).isFalse();
        });

        CallbackReceiver.Call call = receiver.next(Duration.ofSeconds(60));
        assertThat(call.body().toString()).isEqualTo("{\"jobId\":\"" + jobId + "\",\"result\":\"<Stream result>\"}");
    }

    @Test
    @Order(3)
    void theReplyComesInChunksOfTheConfiguredSize() throws Exception {
        var reply = server.post(streamJob("&sync=true&timeout=60"), "stream.size = " + 300 * 1024);
        assertThat(reply.status()).as(reply.status() + "").isEqualTo(200);
        String jobId = latestJobId();

        List<Integer> chunks = new ArrayList<>();
        byte[] body = rawChunkedGet("/jobs/" + jobId, chunks);
        JsonNode job = JSON.readTree(body);
        assertThat(job.get("status").asText()).isEqualTo("FINISHED");
        assertThat(job.get("result").asText())
                .hasSize(300 * 1024 - 2)
                .startsWith("0123456789")
                .matches("[0-9]+");
        assertThat(chunks).hasSizeGreaterThan(2);
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(size -> assertThat(size).isEqualTo(CHUNK));
        assertThat(chunks.get(chunks.size() - 1)).isBetween(1, CHUNK);
    }

    @Test
    @Order(4)
    void a50MegabyteResultIsRelayedFromDiskNotFromMemory() throws Exception {
        long size = 50L << 20;
        var started = server.post(streamJob(""), "stream.size = " + size);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String jobId = started.json().get("jobId").asText();
        server.await("/jobs?limit=3", r -> statusIn(r.json(), jobId).equals("FINISHED"), Duration.ofSeconds(120));

        long baseline = usedHeapAfterGc();
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/jobs/" + jobId))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        long total;
        long during;
        try (InputStream in = new BufferedInputStream(response.body(), 1 << 16)) {
            byte[] head = in.readNBytes(1 << 20);
            assertThat(new String(head, 0, 2, StandardCharsets.UTF_8)).isEqualTo("{\n");
            // The client stops reading: the server's relay is blocked mid-stream, 49 MB still to go.
            during = usedHeapAfterGc();
            total = head.length;
            byte[] buffer = new byte[1 << 16];
            int n;
            int last = -1;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                last = buffer[n - 1];
            }
            assertThat(last).isEqualTo('}');
        }
        String prefixAndReport = "\"result\":";
        assertThat(total).isGreaterThan(size + prefixAndReport.length());
        long grew = during - baseline;
        System.out.printf(
                "STREAM-MEMORY: 50 MiB result relayed; server JVM heap in use after GC: %d MiB before,"
                        + " %d MiB while relaying (growth %d KiB)%n",
                baseline >> 20, during >> 20, grew >> 10);
        assertThat(grew).as("heap growth while relaying 50 MiB").isLessThan(16L << 20);
    }

    @Test
    @Order(5)
    void aStreamBeyondTheLimitFailsTheJobWithAClearError() {
        var reply = server.post(streamJob("&sync=true&timeout=120"), "stream.size = " + (70L << 20));
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("status").asText()).isEqualTo("ERROR");
        assertThat(body.get("result").get("errorClass").asText()).isEqualTo("spark.jobserver.ResultTooLargeException");
        assertThat(body.get("result").get("message").asText())
                .contains("larger than the limit of " + (60L << 20) + " bytes")
                .contains("spark.jobserver.max-stream-result-size");
        String jobId = body.get("jobId").asText();
        assertThat(server.get("/jobs/" + jobId).json().get("status").asText()).isEqualTo("ERROR");
        assertThat(server.root().resolve("results").resolve(jobId + ".bin")).doesNotExist();
        // the context carries on
        var after = server.post(streamJob("&sync=true&timeout=60"), "stream.size = 2");
        assertThat(after.body()).isEqualTo("{\"result\":\"\"}");
    }

    @Test
    @Order(6)
    void onlyDriversMayUploadResults() {
        String jobId = latestJobId();
        var anonymous = server.post("/driver/results/" + jobId, "\"forged\"");
        assertThat(anonymous.status()).isEqualTo(403);
        assertThat(anonymous.json().get("status").asText()).isEqualTo("ERROR");
        var forged = server.send(
                "POST",
                "/driver/results/" + jobId,
                "\"forged\"",
                "X-Jobserver-Driver",
                "some-context:0123456789abcdef");
        assertThat(forged.status()).isEqualTo(403);
        assertThat(server.get("/jobs/" + jobId).body()).doesNotContain("forged");
    }

    @Test
    @Order(7)
    void aJsonResultTooLargeForTheDriversConnectionFailsTheJobClearly() {
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            words.append('w').append(i).append(' ');
        }
        var reply = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                        + "&sync=true&timeout=60",
                "input.string = \"" + words + "\"");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        JsonNode error = reply.json().get("result");
        assertThat(reply.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(error.get("errorClass").asText()).isEqualTo("spark.jobserver.ResultTooLargeException");
        assertThat(error.get("message").asText())
                .contains("spark.jobserver.driver.max-message-size")
                .contains("InputStream");
        // the driver's connection survived: the context runs the next job
        var after = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                        + "&sync=true&timeout=60",
                "input.string = \"a b a\"");
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(after.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        assertThat(server.get("/contexts/" + CTX).json().get("state").asText()).isEqualTo("RUNNING");
    }

    /**
     * A client that reads a large sync stream result slowly holds up only its own reply: the driver's
     * messages (heartbeats, other jobs' events) keep being handled, so the context is not declared dead
     * after the heartbeat timeout (3 s here) and its other jobs answer meanwhile.
     */
    @Test
    @Order(8)
    void aSlowClientOfASyncStreamResultHoldsUpNothingElse() throws Exception {
        long size = 50L << 20;
        long bytesPerSecond = 10L << 20; // about 5 s for the whole reply, longer than the heartbeat timeout
        URI base = URI.create(server.baseUrl());
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024); // keep the kernel from absorbing the reply
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()));
            byte[] body = ("stream.size = " + size).getBytes(StandardCharsets.US_ASCII);
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + streamJob("&sync=true&timeout=120") + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: text/plain\r\nConnection: close\r\nContent-Length: " + body.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            long start = System.nanoTime();
            boolean otherJobChecked = false;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (!otherJobChecked && total > (4L << 20)) {
                    // mid-relay: another job in the same context answers while this reply is still held up
                    var other = server.post(
                            "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=" + CTX
                                    + "&sync=true&timeout=30",
                            "input.string = \"x y x\"");
                    assertThat(other.status()).as(other.toString()).isEqualTo(200);
                    assertThat(other.json().get("result").toString()).isEqualTo("{\"x\":2,\"y\":1}");
                    otherJobChecked = true;
                }
                long due = start + total * 1_000_000_000L / bytesPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    // pacing the reader to its rate, not waiting for something to happen
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("SLOW-CLIENT: %d MiB read in %.1f s%n", total >> 20, seconds);
            assertThat(otherJobChecked).isTrue();
            assertThat(total).isGreaterThan(size);
            assertThat(seconds).as("the read outlasted the heartbeat timeout").isGreaterThan(3.0);
        }
        assertThat(server.get("/contexts/" + CTX).json().get("state").asText()).isEqualTo("RUNNING");
        var after = server.post(streamJob("&sync=true&timeout=60"), "stream.size = 4");
        assertThat(after.body()).isEqualTo("{\"result\":\"01\"}");
    }

    private static String latestJobId() {
        return server.get("/jobs?limit=1").json().get(0).get("jobId").asText();
    }

    private static String statusIn(JsonNode jobs, String jobId) {
        for (JsonNode job : jobs) {
            if (job.get("jobId").asText().equals(jobId)) {
                return job.get("status").asText();
            }
        }
        return "";
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** GET over a plain socket, decoding the chunked body by hand to see the chunk sizes. */
    private static byte[] rawChunkedGet(String path, List<Integer> chunkSizes) throws IOException {
        URI base = URI.create(server.baseUrl());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String status = line(in);
            assertThat(status).startsWith("HTTP/1.1 200");
            boolean chunked = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase().startsWith("transfer-encoding:")
                        && header.toLowerCase().contains("chunked")) {
                    chunked = true;
                }
            }
            assertThat(chunked).as("Transfer-Encoding: chunked").isTrue();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                chunkSizes.add(size);
                body.write(in.readNBytes(size));
                line(in);
            }
            return body.toByteArray();
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
