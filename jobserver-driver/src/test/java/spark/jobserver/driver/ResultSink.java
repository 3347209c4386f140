package spark.jobserver.driver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/**
 * The server's result upload route ({@code POST /driver/results/<jobId>}), just enough for tests: checks
 * the driver's credentials, reads the body as it arrives (keeping only its size and hash) and answers
 * 200, or a configured failure.
 */
final class ResultSink implements AutoCloseable {

    /** What arrived for one job. */
    record Upload(long size, String sha256, String transferEncoding, String contentLength) {}

    private final String contextId;
    private final String secret;
    private final HttpServer server;
    private final ExecutorService serverThreads = Executors.newCachedThreadPool(NamedThreads.daemon("result-sink"));
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private volatile int failWith;

    ResultSink(String contextId, String secret) throws IOException {
        this.contextId = contextId;
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(DriverLaunch.RESULT_PATH, this::handle);
        server.setExecutor(serverThreads);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers every later upload with {@code status} and the body {@code no room}; 0 to accept again. */
    void failWith(int status) {
        failWith = status;
    }

    Upload upload(String jobId) {
        return uploads.get(jobId);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String auth = exchange.getRequestHeaders().getFirst(DriverLaunch.AUTH_HEADER);
            if (!"POST".equals(exchange.getRequestMethod())
                    || auth == null
                    || !auth.equals(contextId + ":" + DriverAuth.mac(secret, path))) {
                respond(exchange, 401, "bad credentials");
                return;
            }
            if (failWith != 0) {
                respond(exchange, failWith, "no room");
                return;
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long size = 0;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                    size += n;
                }
            }
            uploads.put(
                    path.substring(DriverLaunch.RESULT_PATH.length()),
                    new Upload(
                            size,
                            HexFormat.of().formatHex(digest.digest()),
                            exchange.getRequestHeaders().getFirst("Transfer-Encoding"),
                            exchange.getRequestHeaders().getFirst("Content-Length")));
            respond(exchange, 200, "");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        serverThreads.shutdownNow();
    }
}
