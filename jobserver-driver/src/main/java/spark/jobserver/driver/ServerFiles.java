package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import spark.jobserver.common.MoreFiles;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Moves files over HTTP: downloads into local caches from the server (authenticated with the context's
 * secret) or from a plain URL, and uploads job result streams to the server. A download lands in a temporary file next to its target and is renamed
 * into place only when complete (and, when a hash is expected, verified), so a reader never sees half a
 * file and drivers sharing a cache directory do not trip over each other.
 */
final class ServerFiles {
    /** How long to wait for the response headers; the body itself may take as long as it takes. */
    static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient client;
    private final java.util.function.Supplier<URI> serverHttpUrl;
    private final String contextId;
    private final String secret;

    ServerFiles(HttpClient client, URI serverHttpUrl, String contextId, String secret) {
        this(client, constant(requireNonNull(serverHttpUrl, "serverHttpUrl is null")), contextId, secret);
    }

    /**
     * @param serverHttpUrl the base URL of the server the driver is attached to now: it changes when the
     *     driver fails over to another server
     */
    ServerFiles(HttpClient client, java.util.function.Supplier<URI> serverHttpUrl, String contextId, String secret) {
        this.client = requireNonNull(client, "client is null");
        this.serverHttpUrl = requireNonNull(serverHttpUrl, "serverHttpUrl is null");
        this.contextId = requireNonNull(contextId, "contextId is null");
        this.secret = requireNonNull(secret, "secret is null");
    }

    /**
     * Fetches {@code requestPath} (already URL-encoded, starting with {@code /}) from the server into
     * {@code target}.
     *
     * @param expectedSha256 the content's hash, verified before the file is moved into place; null for none
     */
    void fetchFromServer(String requestPath, Path target, String expectedSha256) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(serverHttpUrl.get() + requestPath))
                .timeout(RESPONSE_TIMEOUT)
                .header(DriverLaunch.AUTH_HEADER, authorization(requestPath))
                .GET()
                .build();
        download(client, request, target, expectedSha256);
    }

    /**
     * Uploads {@code source} to the server's {@code requestPath} (already URL-encoded, starting with
     * {@code /}) as a chunked POST, authenticated like fetches. The calling thread reads {@code source}
     * (so a job's stream is read in the job's own thread and Spark job group), a chunk at a time; at
     * most a few chunks are in memory at once.
     *
     * @return the number of bytes uploaded
     * @throws IOException when reading {@code source} fails, the connection fails or the server answers
     *     anything but 2xx
     * @throws InterruptedException when the calling thread is interrupted (the job was killed); the
     *     upload is abandoned
     */
    long uploadToServer(String requestPath, InputStream source) throws IOException, InterruptedException {
        StreamUpload upload = new StreamUpload();
        HttpRequest request = HttpRequest.newBuilder(URI.create(serverHttpUrl.get() + requestPath))
                // HTTP/1.1 chunked transfer: the length is not known in advance.
                .version(HttpClient.Version.HTTP_1_1)
                .header(DriverLaunch.AUTH_HEADER, authorization(requestPath))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofInputStream(upload::body))
                .build();
        CompletableFuture<HttpResponse<String>> response =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        long size;
        try {
            size = upload.pump(source, response);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            upload.abort();
            response.cancel(true);
            throw e;
        }
        HttpResponse<String> answer;
        try {
            answer = response.get();
        } catch (InterruptedException e) {
            upload.abort();
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException("POST " + requestPath + " failed: " + cause, cause);
        }
        if (answer.statusCode() / 100 != 2) {
            String body = answer.body() == null ? "" : answer.body().strip();
            throw new IOException("POST " + requestPath + " answered HTTP " + answer.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) : body)));
        }
        return size;
    }

    /** The driver's credentials for one request: they sign its path, so they are good for nothing else. */
    private String authorization(String requestPath) {
        return contextId + ":" + DriverAuth.mac(secret, requestPath);
    }

    /**
     * {@code text} as one URL path segment. Spaces become {@code %20} rather than {@code +}, which path
     * decoders do not all read as a space.
     */
    static String pathSegment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Downloads {@code request}'s body into {@code target}, atomically. */
    static void download(HttpClient client, HttpRequest request, Path target, String expectedSha256)
            throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, target.getFileName().toString() + ".", ".part");
        try {
            HttpResponse<Path> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofFile(partial));
            } catch (InterruptedException e) {
                // The job that needs the file was killed.
                Thread.currentThread().interrupt();
                InterruptedIOException interrupted =
                        new InterruptedIOException("interrupted while downloading " + request.uri());
                interrupted.initCause(e);
                throw interrupted;
            }
            if (response.statusCode() != 200) {
                throw new IOException("GET " + request.uri().getPath() + " answered HTTP " + response.statusCode()
                        + errorBody(partial));
            }
            if (expectedSha256 != null) {
                String actual = sha256(partial);
                if (!actual.equalsIgnoreCase(expectedSha256)) {
                    throw new IOException("content of " + request.uri().getPath() + " has SHA-256 " + actual
                            + ", expected " + expectedSha256);
                }
            }
            MoreFiles.moveIntoPlace(partial, target);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The SHA-256 of {@code file}'s content, lower-case hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of {@code text}'s UTF-8 bytes, lower-case hex. */
    static String sha256(String text) {
        return HexFormat.of().formatHex(sha256Digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The start of an error response's body, which usually says what went wrong. */
    private static String errorBody(Path body) {
        try (InputStream in = Files.newInputStream(body)) {
            String text = new String(in.readNBytes(300), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException e) {
            return "";
        }
    }

    private static java.util.function.Supplier<URI> constant(URI uri) {
        return () -> uri;
    }
}
