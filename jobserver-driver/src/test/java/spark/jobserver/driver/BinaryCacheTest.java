package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/** Fetching binaries and data files, against a small HTTP server standing in for the job server. */
class BinaryCacheTest {
    static final String CONTEXT_ID = "ctx-1";
    static final String SECRET = DriverAuth.randomToken();

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpClient client;
    private ServerFiles serverFiles;
    private BinaryCache cache;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        client = HttpClient.newBuilder().build();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        serverFiles = new ServerFiles(client, base, CONTEXT_ID, SECRET);
        cache = new BinaryCache(dir.resolve("binaries"), serverFiles, () -> client);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    /** Serves {@link #files} by raw path; the driver routes demand the HMAC header like the real server. */
    private void handle(HttpExchange exchange) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        requests.add(rawPath);
        byte[] body;
        int status;
        if (rawPath.startsWith("/driver/")) {
            String header = exchange.getRequestHeaders().getFirst(DriverLaunch.AUTH_HEADER);
            if (header == null || !header.equals(CONTEXT_ID + ":" + DriverAuth.mac(SECRET, rawPath))) {
                respond(
                        exchange,
                        401,
                        "{\"status\":\"ERROR\",\"result\":\"bad driver credentials\"}"
                                .getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        body = files.get(rawPath);
        status = body == null ? 404 : 200;
        respond(exchange, status, body == null ? "not here".getBytes(StandardCharsets.UTF_8) : body);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String serveBinary(byte[] content) throws IOException {
        Path tmp = Files.write(dir.resolve("content.tmp"), content);
        String sha = ServerFiles.sha256(tmp);
        files.put(DriverLaunch.BINARY_PATH + sha, content);
        return sha;
    }

    @Test
    void anUploadedBinaryIsFetchedOnceAndCachedByHash() throws Exception {
        byte[] content = "jar bytes".getBytes(StandardCharsets.UTF_8);
        String sha = serveBinary(content);

        Path first = cache.resolve(BinaryRef.uploaded("app", sha));
        Path second = cache.resolve(BinaryRef.uploaded("app", sha.toUpperCase()));

        assertThat(first)
                .isEqualTo(dir.resolve("binaries").resolve(sha + ".jar"))
                .hasBinaryContent(content);
        assertThat(second).isEqualTo(first);
        assertThat(requests).containsExactly(DriverLaunch.BINARY_PATH + sha);
        assertThat(dir.resolve("binaries")).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void concurrentJobsNeedingOneBinaryDownloadItOnce() throws Exception {
        String sha = serveBinary(new byte[1 << 20]);
        ExecutorService pool = Executors.newFixedThreadPool(4, NamedThreads.daemon("fetch-test"));
        try {
            List<Future<Path>> fetches = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fetches.add(pool.submit(() -> cache.resolve(BinaryRef.uploaded("app", sha))));
            }
            for (Future<Path> f : fetches) {
                assertThat(f.get(10, TimeUnit.SECONDS)).hasSize(1 << 20);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(requests).hasSize(1);
    }

    @Test
    void aCorruptDownloadIsRefusedAndNotCached() throws Exception {
        String sha = serveBinary("good".getBytes(StandardCharsets.UTF_8));
        files.put(DriverLaunch.BINARY_PATH + sha, "evil".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> cache.resolve(BinaryRef.uploaded("app", sha)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("expected " + sha);
        assertThat(dir.resolve("binaries").resolve(sha + ".jar")).doesNotExist();
        assertThat(dir.resolve("binaries")).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void serverErrorsAreReportedWithTheirBody() throws Exception {
        String missing = "a".repeat(64);
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uploaded("app", missing)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("not here");

        ServerFiles wrongSecret = new ServerFiles(
                client, URI.create("http://127.0.0.1:" + server.getAddress().getPort()), CONTEXT_ID, "wrong");
        BinaryCache unauthorized = new BinaryCache(dir.resolve("other"), wrongSecret, () -> client);
        String sha = serveBinary("x".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> unauthorized.resolve(BinaryRef.uploaded("app", sha)))
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("bad driver credentials");
    }

    @Test
    void aHashThatIsNoHashIsRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uploaded("app", "../../etc/passwd")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a SHA-256 hash");
        assertThat(requests).isEmpty();
    }

    @Test
    void fileAndLocalUrisAreUsedInPlace() throws Exception {
        Path jar = Files.writeString(dir.resolve("dep.jar"), "dep");
        assertThat(cache.resolve(BinaryRef.uri(jar.toUri().toString()))).isEqualTo(jar);
        assertThat(cache.resolve(BinaryRef.uri("local:" + jar))).isEqualTo(jar);
        assertThat(cache.resolve(BinaryRef.uri(jar.toString()))).isEqualTo(jar);
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uri("file:" + dir.resolve("missing.jar"))))
                .isInstanceOf(FileNotFoundException.class);
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uri("hdfs://nn/x.jar")))
                .hasMessageContaining("unsupported URI scheme 'hdfs'");
    }

    @Test
    void httpUrisAreDownloadedOnceWithoutTheDriverCredentials() throws Exception {
        files.put("/deps/lib.jar", "lib".getBytes(StandardCharsets.UTF_8));
        String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/deps/lib.jar";
        Path first = cache.resolve(BinaryRef.uri(uri));
        Path second = cache.resolve(BinaryRef.uri(uri));
        assertThat(first).hasContent("lib").isEqualTo(second);
        assertThat(requests).containsExactly("/deps/lib.jar");
    }

    @Test
    void dataFilesAreTheLocalFileWhenItExistsElseAnAuthenticatedCopy() throws Exception {
        DataFiles data = new DataFiles(dir.resolve("data"), serverFiles);
        Path local = Files.writeString(dir.resolve("here.txt"), "local");
        assertThat(data.getDataFile(local.toString())).hasContent("local");
        assertThat(requests).isEmpty();

        String remote = "/srv/upload/my file+1.txt-2024-01-01T00_00_00.000Z.dat";
        String requestPath = DataFiles.requestPath(remote);
        assertThat(requestPath)
                .isEqualTo("/driver/data/%2Fsrv%2Fupload%2Fmy%20file%2B1.txt-2024-01-01T00_00_00.000Z.dat");
        files.put(requestPath, "remote".getBytes(StandardCharsets.UTF_8));

        assertThat(data.getDataFile(remote)).hasContent("remote");
        assertThat(data.getDataFile(remote)).hasContent("remote");
        assertThat(requests).containsExactly(requestPath);
    }
}
