package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Turns the binaries a job needs into local files: uploaded binaries are fetched from the server once
 * and cached by content hash; {@code file:} and {@code local:} URIs are used where they are;
 * {@code http(s):} URIs are downloaded once and cached by the hash of the URI.
 */
final class BinaryCache {
    private static final Logger log = LoggerFactory.getLogger(BinaryCache.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    private final Path dir;
    private final ServerFiles server;
    private final Supplier<HttpClient> externalClient;
    /** Two jobs needing the same binary at once download it once. */
    private final SingleFlight downloads = new SingleFlight();

    /**
     * @param externalClient the client for {@code http(s):} dependencies; separate from the server's so
     *     that it may follow redirects
     */
    BinaryCache(Path dir, ServerFiles server, Supplier<HttpClient> externalClient) {
        this.dir = requireNonNull(dir, "dir is null");
        this.server = requireNonNull(server, "server is null");
        this.externalClient = requireNonNull(externalClient, "externalClient is null");
    }

    /** A local file with the binary's content. */
    Path resolve(BinaryRef ref) throws IOException {
        if (ref.sha256() != null) {
            return uploaded(ref.sha256(), ref.kind());
        }
        return fromUri(ref.uri(), ref.kind());
    }

    /** The file is named after the binary's kind: Python (and Spark's {@code addPyFile}) go by the extension. */
    private Path uploaded(String sha256, BinaryRef.Kind kind) throws IOException {
        // The hash becomes a file name and a URL segment: accept nothing but a hash.
        if (!SHA256.matcher(sha256).matches()) {
            throw new IOException("'" + sha256 + "' is not a SHA-256 hash");
        }
        String hash = sha256.toLowerCase(Locale.ROOT);
        Path target = dir.resolve(hash + kind.extension());
        if (Files.isRegularFile(target)) {
            return target;
        }
        downloads.run(hash, "binary " + hash, () -> {
            if (!Files.isRegularFile(target)) {
                log.info("Fetching binary {} from the server", hash);
                // The route gets the hash as the server wrote it; only the cache normalises its case.
                server.fetchFromServer(DriverLaunch.BINARY_PATH + sha256, target, hash);
            }
        });
        return target;
    }

    /** The number of downloads in progress. */
    int downloadsInProgress() {
        return downloads.inProgress();
    }

    private Path fromUri(String text, BinaryRef.Kind kind) throws IOException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IOException("'" + text + "' is not a valid URI: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "", "file", "local" -> {
                Path path;
                try {
                    path = scheme.equals("file") ? Path.of(uri) : Path.of(requireNonNull(uri.getPath(), "no path"));
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new IOException("'" + text + "' does not name a local file: " + e.getMessage(), e);
                }
                if (!Files.isRegularFile(path)) {
                    throw new FileNotFoundException("no file at " + path);
                }
                return path;
            }
            case "http", "https" -> {
                String key = ServerFiles.sha256(text);
                Path target = dir.resolve("uri-" + key + kind.extension());
                if (Files.isRegularFile(target)) {
                    return target;
                }
                downloads.run(key, text, () -> {
                    if (!Files.isRegularFile(target)) {
                        log.info("Downloading dependency {}", text);
                        HttpRequest request = HttpRequest.newBuilder(uri)
                                .timeout(ServerFiles.RESPONSE_TIMEOUT)
                                .GET()
                                .build();
                        ServerFiles.download(externalClient.get(), request, target, null);
                    }
                });
                return target;
            }
            default ->
                throw new IOException("unsupported URI scheme '" + scheme + "' (use file:, local:, http: or https:)");
        }
    }
}
