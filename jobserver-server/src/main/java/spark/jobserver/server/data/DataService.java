package spark.jobserver.server.data;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;
import spark.jobserver.server.http.ApiException;

/**
 * Data files uploaded with {@code POST /data/<prefix>}: stored in one directory as
 * {@code <prefix>-<upload time>.dat}. The directory is the index: what it holds under that naming
 * scheme is what {@code GET /data} lists, before and after a restart. Only such files, directly in the
 * directory and not symbolic links, may be deleted or fetched; every other path is refused.
 */
public final class DataService {
    private static final Logger LOG = LoggerFactory.getLogger(DataService.class);
    /** The original's file time: ISO with millis and offset, colons replaced (e.g. 2016-07-04T09_09_57.928+05_30). */
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private static final Pattern DATA_FILE =
            Pattern.compile("[^/\\\\]+-\\d{4}-\\d\\d-\\d\\dT\\d\\d_\\d\\d_\\d\\d\\.\\d{3}(Z|[+-]\\d\\d_\\d\\d)\\.dat");
    private static final int MAX_PREFIX_LENGTH = 200;

    private final Path dir;
    private final long maxSize;
    private final Clock clock;
    private final ZoneId zone;
    private final Executor background;
    /** Names being written; guarded by itself. One server owns the directory. */
    private final Set<Path> reserved = new HashSet<>();

    /**
     * @param dir where files are stored ({@code spark.jobserver.datadao.rootdir})
     * @param maxSize the largest upload, in bytes
     * @param background runs asynchronous resets
     */
    public DataService(Path dir, long maxSize, Clock clock, ZoneId zone, Executor background) {
        this.dir = requireNonNull(dir, "dir is null").toAbsolutePath().normalize();
        this.maxSize = maxSize;
        this.clock = requireNonNull(clock, "clock is null");
        this.zone = requireNonNull(zone, "zone is null");
        this.background = requireNonNull(background, "background is null");
    }

    /** Stores {@code body} as a new file named after {@code prefix}; returns its absolute path. */
    public Path store(String prefix, InputStream body) {
        validatePrefix(prefix);
        Path target = reserveName(prefix);
        Path partial = null;
        try {
            partial = Files.createTempFile(dir, ".upload-", ".part");
            try (OutputStream out = Files.newOutputStream(partial)) {
                copyLimited(body, out);
            }
            MoreFiles.moveIntoPlace(partial, target);
            partial = null;
            LOG.info("Stored data file {}", target);
            return target;
        } catch (IOException e) {
            LOG.error("Storing data file {} failed", target, e);
            throw ApiException.error(500, "Failed to store data file '" + prefix + "': " + e.getMessage());
        } finally {
            synchronized (reserved) {
                reserved.remove(target);
            }
            if (partial != null) {
                deleteQuietly(partial);
            }
        }
    }

    /** The absolute paths of the stored files, sorted. */
    public List<String> list() {
        return files().stream().map(Path::toString).sorted().toList();
    }

    /** Deletes one stored file, given by its absolute path as {@link #list()} shows it. */
    public void delete(String path) {
        Path file = controlled(path).orElseThrow(() -> unableToDelete(path));
        try {
            Files.delete(file);
            LOG.info("Deleted data file {}", file);
        } catch (IOException e) {
            LOG.warn("Deleting data file {} failed", file, e);
            throw unableToDelete(path);
        }
    }

    /**
     * A stored file, for a driver that fetches it.
     *
     * @throws ApiException 404 for anything that is not a stored data file
     */
    public Path file(String path) {
        return controlled(path).orElseThrow(() -> ApiException.error(404, "No such data file: " + path));
    }

    /** Deletes every stored file. */
    public void reset() {
        List<Path> failed = new ArrayList<>();
        for (Path file : files()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not delete data file {}", file, e);
                failed.add(file);
            }
        }
        if (!failed.isEmpty()) {
            throw ApiException.error(
                    500, "Unable to delete data folder: " + failed.size() + " file(s) could not be deleted");
        }
        LOG.info("Data files reset");
    }

    /** Deletes every stored file in the background. */
    public void resetLater() {
        background.execute(() -> {
            try {
                reset();
            } catch (RuntimeException e) {
                LOG.error("Resetting the data files failed", e);
            }
        });
    }

    private List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (isDataFile(entry)) {
                    found.add(entry);
                }
            }
        } catch (IOException e) {
            throw ApiException.error(500, "Cannot list data files: " + e.getMessage());
        }
        return found;
    }

    /** The file {@code path} names, if it is one the server stored; never follows links out of the directory. */
    private Optional<Path> controlled(String path) {
        if (path == null || path.isEmpty() || path.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        if (!p.isAbsolute() || !p.equals(p.normalize()) || !dir.equals(p.getParent())) {
            return Optional.empty();
        }
        return isDataFile(p) ? Optional.of(p) : Optional.empty();
    }

    private static boolean isDataFile(Path p) {
        return p.getFileName() != null
                && DATA_FILE.matcher(p.getFileName().toString()).matches()
                && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
    }

    private Path reserveName(String prefix) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw ApiException.error(500, "Failed to store data file '" + prefix + "': " + e.getMessage());
        }
        Instant time = clock.instant();
        synchronized (reserved) {
            while (true) {
                Path candidate = dir.resolve(
                        prefix + "-" + FILE_TIME.format(time.atZone(zone)).replace(':', '_') + ".dat");
                if (!reserved.contains(candidate) && !Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                    reserved.add(candidate);
                    return candidate;
                }
                // Same prefix in the same millisecond: the next free millisecond keeps names unique and sortable.
                time = time.plusMillis(1);
            }
        }
    }

    private void copyLimited(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > maxSize) {
                throw ApiException.error(413, "Request entity too large: more than " + maxSize + " bytes");
            }
            out.write(buffer, 0, n);
        }
    }

    private static void validatePrefix(String prefix) {
        String problem = null;
        if (prefix == null || prefix.isBlank()) {
            problem = "the name is empty";
        } else if (prefix.length() > MAX_PREFIX_LENGTH) {
            problem = "the name is longer than " + MAX_PREFIX_LENGTH + " characters";
        } else if (prefix.startsWith(".")) {
            problem = "the name must not start with '.'";
        } else if (prefix.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c))) {
            problem = "the name must not contain slashes or control characters";
        }
        if (problem != null) {
            throw ApiException.error(400, "Failed to store data file '" + prefix + "': " + problem);
        }
    }

    private static ApiException unableToDelete(String path) {
        return ApiException.error(400, "Unable to delete data file '" + path + "'.");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Could not remove {}", file, e);
        }
    }
}
