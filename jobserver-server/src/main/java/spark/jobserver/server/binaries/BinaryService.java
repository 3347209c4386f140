package spark.jobserver.server.binaries;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.server.http.ApiException;

/**
 * Uploads, lists and deletes binaries. Uploads are streamed to a temporary file while hashed and
 * checked, then stored; the bytes are never held in memory whole.
 */
public final class BinaryService {
    private static final Logger LOG = LoggerFactory.getLogger(BinaryService.class);
    private static final byte[] ZIP_MAGIC = {0x50, 0x4B, 0x03, 0x04};
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final BinaryStore store;
    private final Path cacheDir;
    private final long maxSize;
    private final Clock clock;
    private final Function<String, List<String>> activeJobsUsing;

    /**
     * @param activeJobsUsing ids of the unfinished jobs that use an app's binary
     */
    public BinaryService(
            BinaryStore store,
            Path cacheDir,
            long maxSize,
            Clock clock,
            Function<String, List<String>> activeJobsUsing) {
        this.store = requireNonNull(store, "store is null");
        this.cacheDir = requireNonNull(cacheDir, "cacheDir is null");
        this.maxSize = maxSize;
        this.clock = requireNonNull(clock, "clock is null");
        this.activeJobsUsing = requireNonNull(activeJobsUsing, "activeJobsUsing is null");
    }

    /** Stores a new version of {@code appName} from {@code body}, typed by {@code contentType}. */
    public BinaryInfo upload(String appName, String contentType, InputStream body) {
        validateName(appName);
        BinaryType type = BinaryType.fromContentType(contentType)
                .orElseThrow(() -> ApiException.error(415, "Unsupported binary type " + contentType));
        Path temp = null;
        try {
            Files.createDirectories(cacheDir);
            temp = Files.createTempFile(cacheDir, "upload-", ".part");
            MessageDigest digest = sha256();
            long size;
            byte[] head = new byte[4];
            try (InputStream in = new DigestInputStream(body, digest);
                    OutputStream out = Files.newOutputStream(temp)) {
                size = copyLimited(in, out, head);
            }
            if (size < 4 || !Arrays.equals(head, ZIP_MAGIC)) {
                throw ApiException.error(400, "Binary is not of the right format");
            }
            String sha = HexFormat.of().formatHex(digest.digest());
            BinaryInfo info = new BinaryInfo(appName, type, clock.instant(), sha, size);
            store.save(info, temp);
            moveIntoCache(temp, sha);
            temp = null;
            LOG.info("Stored binary {} ({}, {} bytes, sha256 {})", appName, type.wireName(), size, sha);
            return info;
        } catch (IOException e) {
            LOG.error("Storing binary {} failed", appName, e);
            throw ApiException.error(500, "Storage Failure: " + e.getMessage());
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warn("Could not remove {}", temp, e);
                }
            }
        }
    }

    /**
     * Deletes the temporary files of uploads and fetches that a crash interrupted (the database never
     * saw those binaries, or has them whole). Called at start, before any upload.
     */
    public void removeLeftoverTemporaryFiles() {
        if (!Files.isDirectory(cacheDir)) {
            return;
        }
        try (var files = Files.newDirectoryStream(cacheDir, "{upload-,fetch-}*.part")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
                LOG.info("Removed {}, left by an interrupted transfer", file);
            }
        } catch (IOException e) {
            LOG.warn("Could not clean up temporary files in {}", cacheDir, e);
        }
    }

    private long copyLimited(InputStream in, OutputStream out, byte[] head) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (total < head.length) {
                System.arraycopy(buffer, 0, head, (int) total, (int) Math.min(n, head.length - total));
            }
            total += n;
            if (total > maxSize) {
                throw ApiException.error(413, "Request entity too large: more than " + maxSize + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    private void moveIntoCache(Path temp, String sha) throws IOException {
        Path target = cacheFile(sha);
        if (Files.exists(target)) {
            Files.delete(temp);
            return;
        }
        MoreFiles.moveIntoPlace(temp, target);
    }

    public List<BinaryInfo> list() {
        return store.latestOfEach();
    }

    /** What a driver needs to fetch the newest version of {@code appName}, if it has one. */
    public java.util.Optional<BinaryRef> newestRef(String appName) {
        return store.latest(appName).map(BinaryService::ref);
    }

    /** What a driver needs to fetch {@code binary}: its hash, and its kind (jar, egg or wheel). */
    public static BinaryRef ref(BinaryInfo binary) {
        return BinaryRef.uploaded(
                binary.appName(), binary.sha256(), binary.type().kind());
    }

    public BinaryInfo get(String appName) {
        return store.latest(appName)
                .orElseThrow(() -> ApiException.error(404, "Can't find binary with name " + appName));
    }

    /** Removes every version, unless an unfinished job uses the binary. */
    public void delete(String appName) {
        List<String> jobs = activeJobsUsing.apply(appName);
        if (!jobs.isEmpty()) {
            throw ApiException.error(403, "Binary is in use by job(s): " + String.join(", ", jobs));
        }
        if (store.deleteAll(appName) == 0) {
            throw ApiException.error(404, "can't find binary with name " + appName);
        }
        LOG.info("Deleted binary {}", appName);
    }

    /**
     * A local file with the bytes of {@code sha256}, copied from the database into the cache if needed.
     *
     * @throws ApiException 404 when no such binary is stored
     */
    public Path localFile(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw ApiException.error(404, "No binary with hash " + sha256);
        }
        Path target = cacheFile(sha256);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try (InputStream in =
                store.content(sha256).orElseThrow(() -> ApiException.error(404, "No binary with hash " + sha256))) {
            Files.createDirectories(cacheDir);
            Path temp = Files.createTempFile(cacheDir, "fetch-", ".part");
            try {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
                moveIntoCache(temp, sha256);
            } finally {
                Files.deleteIfExists(temp);
            }
            return target;
        } catch (IOException e) {
            throw ApiException.error(500, "Reading binary " + sha256 + " failed: " + e.getMessage());
        }
    }

    private Path cacheFile(String sha256) {
        return cacheDir.resolve(sha256 + ".bin");
    }

    private static void validateName(String appName) {
        // A name is only a key (files are kept by hash), but path-like names are refused all the same.
        if (appName == null
                || appName.isBlank()
                || appName.length() > 255
                || appName.startsWith(".")
                || appName.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c))) {
            throw ApiException.error(400, "Invalid binary name");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
