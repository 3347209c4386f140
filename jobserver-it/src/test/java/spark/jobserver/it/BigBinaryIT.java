package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB jar through a server whose heap is 256 MB: uploaded, stored in the database, read back from
 * the database (the local cache is emptied first) for a driver that puts it on a job's class path.
 */
class BigBinaryIT {
    private static final long JAR_ENTRY_SIZE = 200L << 20;

    @TempDir
    Path dir;

    private JobServerProcess server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTwoHundredMegabyteJarGoesInAndOutWithASmallHeap() throws Exception {
        Path jar = bigJar(dir.resolve("big.jar"));
        server = JobServerProcess.start("akka.http.server.parsing.max-content-length = 300m", "256m");
        TestingJobServer http = server.http();

        HttpResponse<String> uploaded = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/binaries/big"))
                                .header("Content-Type", "application/java-archive")
                                .timeout(Duration.ofMinutes(5))
                                .POST(HttpRequest.BodyPublishers.ofFile(jar))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        assertThat(http.get("/binaries").json().get("big").get("binary-type").asText())
                .isEqualTo("Jar");
        http.uploadExamples("test");

        // Without its cached copy, the server must stream the jar out of the database for the driver.
        server.kill9();
        Path cache = server.root().resolve("binaries");
        try (Stream<Path> files = Files.list(cache)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        server.startAgain();

        http.createContext("big", "");
        var reply = http.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=big" + "&sync=true&timeout=300",
                "input.string = a b a\ndependent-jar-uris = [\"big\"]");
        assertThat(reply.status())
                .as(reply.toString() + "\n" + server.serverLog())
                .isEqualTo(200);
        assertThat(reply.json().get("result").toString()).isEqualTo("{\"a\":2,\"b\":1}");
        try (Stream<Path> files = Files.list(cache)) {
            assertThat(files.filter(p -> p.toString().endsWith(".bin")).mapToLong(BigBinaryIT::size))
                    .contains(Files.size(jar));
        }
        assertThat(server.isAlive()).isTrue();
    }

    /** A valid jar with one stored (uncompressed) entry of 200 MB of pseudo-random bytes. */
    private static Path bigJar(Path file) throws IOException {
        CRC32 crc = new CRC32();
        writeEntryBytes(crc::update);
        ZipEntry entry = new ZipEntry("data/blob.bin");
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(JAR_ENTRY_SIZE);
        entry.setCompressedSize(JAR_ENTRY_SIZE);
        entry.setCrc(crc.getValue());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.closeEntry();
            zip.putNextEntry(entry);
            OutputStream out = zip;
            writeEntryBytes((b, off, len) -> out.write(b, off, len));
            zip.closeEntry();
        }
        return file;
    }

    private interface Sink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    private static void writeEntryBytes(Sink sink) throws IOException {
        Random random = new Random(42);
        byte[] block = new byte[1 << 20];
        for (long written = 0; written < JAR_ENTRY_SIZE; written += block.length) {
            random.nextBytes(block);
            sink.write(block, 0, block.length);
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
