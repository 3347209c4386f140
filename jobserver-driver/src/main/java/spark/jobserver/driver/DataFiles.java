package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.api.DataFileCache;
import spark.jobserver.protocol.DriverLaunch;

/**
 * Files uploaded with {@code POST /data}, as seen from the driver: the server's file itself when the
 * driver runs on the server's host, otherwise a copy fetched from the server once. Uploaded files never
 * change (their names carry the upload time), so a cached copy stays valid.
 */
final class DataFiles implements DataFileCache {
    private static final Logger log = LoggerFactory.getLogger(DataFiles.class);

    private final Path cacheDir;
    private final ServerFiles server;
    /** Two jobs needing the same file at once fetch it once. */
    private final SingleFlight downloads = new SingleFlight();

    DataFiles(Path cacheDir, ServerFiles server) {
        this.cacheDir = requireNonNull(cacheDir, "cacheDir is null");
        this.server = requireNonNull(server, "server is null");
    }

    @Override
    public File getDataFile(String path) throws IOException {
        requireNonNull(path, "path is null");
        Path local = localPath(path);
        if (local != null && Files.isRegularFile(local)) {
            return local.toFile();
        }
        String key = ServerFiles.sha256(path);
        String name = local == null || local.getFileName() == null
                ? "data"
                : local.getFileName().toString();
        Path target = cacheDir.resolve(key + "-" + name);
        if (!Files.isRegularFile(target)) {
            downloads.run(key, "data file " + path, () -> {
                if (!Files.isRegularFile(target)) {
                    log.info("Fetching data file {} from the server", path);
                    server.fetchFromServer(requestPath(path), target, null);
                }
            });
        }
        return target.toFile();
    }

    /** The number of downloads in progress. */
    int downloadsInProgress() {
        return downloads.inProgress();
    }

    /** The server route for {@code path}: the whole path as one URL-encoded segment. */
    static String requestPath(String path) {
        return DriverLaunch.DATA_PATH + ServerFiles.pathSegment(path);
    }

    private static Path localPath(String path) {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
