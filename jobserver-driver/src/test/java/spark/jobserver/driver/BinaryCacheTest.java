package spark.jobserver.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HttpServer server;
    private ExecutorService serverThreads;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** Holds every answer until opened: a download in progress for as long as a test needs. */
    private final CountDownLatch gate = new CountDownLatch(1);

    private volatile boolean holdAnswers;
    private HttpClient client;
    private ServerFiles serverFiles;
    private BinaryCache cache;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        // A thread per exchange, so that a held answer does not hold up the others.
        serverThreads = Executors.newCachedThreadPool(NamedThreads.daemon("test-http"));
        server.setExecutor(serverThreads);
        server.start();
        client = HttpClient.newBuilder().build();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        serverFiles = new ServerFiles(client, base, CONTEXT_ID, SECRET);
        cache = new BinaryCache(dir.resolve("binaries"), serverFiles, () -> client);
    }

    @AfterEach
    void stopServer() {
        gate.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    /** Serves {@link #files} by raw path; the driver routes demand the HMAC header like the real server. */
    private void handle(HttpExchange exchange) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        requests.add(rawPath);
        if (holdAnswers) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        byte[] content = new byte[1 << 20];
        String sha = serveBinary(content);
        holdAnswers = true;
        Caller first = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        awaitTrue(() -> requests.size() == 1, "the first download to start");
        List<Caller> waiters = List.of(
                new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha))),
                new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha))),
                new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha))));
        for (Caller waiter : waiters) {
            waiter.awaitParked();
        }

        gate.countDown();

        Path jar = first.result();
        assertThat(jar).hasBinaryContent(content);
        for (Caller waiter : waiters) {
            assertThat(waiter.result()).isEqualTo(jar);
        }
        assertThat(requests).hasSize(1);
        assertThat(cache.downloadsInProgress()).isZero();
    }

    @Test
    void aKilledJobWaitingForAnotherJobsDownloadLeavesAtOnceAndTheDownloadGoesOn() throws Exception {
        byte[] content = "jar bytes".getBytes(StandardCharsets.UTF_8);
        String sha = serveBinary(content);
        holdAnswers = true;
        Caller first = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        awaitTrue(() -> requests.size() == 1, "the first download to start");
        Caller waiter = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        waiter.awaitParked();

        // What JobManager does to a killed job's thread.
        waiter.thread.interrupt();

        assertThat(waiter.failure())
                .isInstanceOf(InterruptedIOException.class)
                .hasMessageContaining("interrupted while waiting for another job to fetch binary " + sha);
        assertThat(waiter.interruptedAtEnd).isTrue();
        assertThat(first.outcome).isNotDone();

        gate.countDown();

        assertThat(first.result()).hasBinaryContent(content);
        assertThat(requests).hasSize(1);
        assertThat(cache.downloadsInProgress()).isZero();
    }

    @Test
    void whenTheDownloadingJobIsKilledAWaiterDownloadsTheBinaryItself() throws Exception {
        byte[] content = "jar bytes".getBytes(StandardCharsets.UTF_8);
        String sha = serveBinary(content);
        holdAnswers = true;
        Caller first = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        awaitTrue(() -> requests.size() == 1, "the first download to start");
        Caller waiter = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        waiter.awaitParked();

        first.thread.interrupt();

        assertThat(first.failure()).isInstanceOf(InterruptedIOException.class);
        // The waiter was not killed: it does not inherit the interrupt, it fetches the binary again.
        awaitTrue(() -> requests.size() == 2, "the waiter to download the binary itself");
        gate.countDown();
        assertThat(waiter.result()).hasBinaryContent(content);
        assertThat(cache.downloadsInProgress()).isZero();
    }

    @Test
    void theWaitersOfAFailedDownloadSeeTheFailureAndTheNextCallerTriesAgain() throws Exception {
        byte[] content = "jar bytes".getBytes(StandardCharsets.UTF_8);
        String sha = serveBinary(content);
        byte[] served = files.remove(DriverLaunch.BINARY_PATH + sha);
        holdAnswers = true;
        Caller first = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        awaitTrue(() -> requests.size() == 1, "the first download to start");
        Caller waiter = new Caller(() -> cache.resolve(BinaryRef.uploaded("app", sha)));
        waiter.awaitParked();

        gate.countDown(); // answers 404: the binary is not there (yet)

        assertThat(first.failure()).isInstanceOf(IOException.class).hasMessageContaining("HTTP 404");
        assertThat(waiter.failure()).isInstanceOf(IOException.class).hasMessageContaining("HTTP 404");
        assertThat(requests).hasSize(1);
        assertThat(cache.downloadsInProgress()).isZero();

        files.put(DriverLaunch.BINARY_PATH + sha, served);
        assertThat(cache.resolve(BinaryRef.uploaded("app", sha))).hasBinaryContent(content);
        assertThat(requests).hasSize(2);
    }

    @Test
    void nothingIsKeptForDownloadsThatEnded() throws Exception {
        String sha = serveBinary("jar bytes".getBytes(StandardCharsets.UTF_8));
        cache.resolve(BinaryRef.uploaded("app", sha));
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uploaded("app", "b".repeat(64))))
                .hasMessageContaining("HTTP 404");
        files.put("/deps/lib.jar", "lib".getBytes(StandardCharsets.UTF_8));
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        cache.resolve(BinaryRef.uri(base + "/deps/lib.jar"));
        assertThatThrownBy(() -> cache.resolve(BinaryRef.uri(base + "/deps/missing.jar")))
                .hasMessageContaining("HTTP 404");

        assertThat(cache.downloadsInProgress()).isZero();
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

    @Test
    void aKilledJobWaitingForAnotherJobsDataFileLeavesAtOnceAndFailuresAreRetried() throws Exception {
        DataFiles data = new DataFiles(dir.resolve("data"), serverFiles);
        String remote = "/srv/upload/big.csv-2024-01-01T00_00_00.000Z.dat";
        String requestPath = DataFiles.requestPath(remote);
        holdAnswers = true;
        Caller first = new Caller(() -> data.getDataFile(remote).toPath());
        awaitTrue(() -> requests.size() == 1, "the first download to start");
        Caller killed = new Caller(() -> data.getDataFile(remote).toPath());
        killed.awaitParked();
        Caller waiter = new Caller(() -> data.getDataFile(remote).toPath());
        waiter.awaitParked();

        killed.thread.interrupt();
        assertThat(killed.failure()).isInstanceOf(InterruptedIOException.class);
        assertThat(killed.interruptedAtEnd).isTrue();
        assertThat(first.outcome).isNotDone();

        gate.countDown(); // answers 404: the file is not there (yet)
        assertThat(first.failure()).hasMessageContaining("HTTP 404");
        assertThat(waiter.failure()).hasMessageContaining("HTTP 404");
        assertThat(data.downloadsInProgress()).isZero();

        files.put(requestPath, "a,b".getBytes(StandardCharsets.UTF_8));
        assertThat(data.getDataFile(remote)).hasContent("a,b");
        assertThat(requests).containsExactly(requestPath, requestPath);
        assertThat(data.downloadsInProgress()).isZero();
    }

    /** A call to the cache in a thread of its own, which a test interrupts as JobManager does a killed job's. */
    private static final class Caller {
        final CompletableFuture<Path> outcome = new CompletableFuture<>();
        final Thread thread;
        volatile boolean interruptedAtEnd;

        Caller(Callable<Path> call) {
            thread = NamedThreads.daemon("test-job").newThread(() -> {
                Path path = null;
                Throwable failure = null;
                try {
                    path = call.call();
                } catch (Throwable t) {
                    failure = t;
                }
                // Before the outcome, which the test may read at once.
                interruptedAtEnd = Thread.currentThread().isInterrupted();
                if (failure == null) {
                    outcome.complete(path);
                } else {
                    outcome.completeExceptionally(failure);
                }
            });
            thread.start();
        }

        /** Waits until the call blocks: waiting for another caller's download. */
        void awaitParked() throws InterruptedException {
            awaitTrue(
                    () -> thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.BLOCKED,
                    "the call to wait for another download");
        }

        Path result() throws Exception {
            return outcome.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** What the call threw; fails the test when the call does not end soon. */
        Throwable failure() throws Exception {
            try {
                Path path = outcome.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("expected a failure, got " + path);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
