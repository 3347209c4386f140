package spark.jobserver.server.binaries;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.http.ApiException;

/**
 * Binaries uploaded when the server starts: {@code spark.jobserver.job-bin-paths { name = path }} (legacy
 * alias {@code job-jar-paths}), typed by the file's extension. A file whose content is already the newest
 * version of its name is not uploaded again, so restarts add no versions.
 */
public final class InitialBinaries {
    private static final Logger LOG = LoggerFactory.getLogger(InitialBinaries.class);
    private static final List<String> KEYS = List.of("spark.jobserver.job-bin-paths", "spark.jobserver.job-jar-paths");

    private InitialBinaries() {}

    /**
     * The binaries the configuration names, checked: every missing file or unknown extension is reported
     * at once.
     *
     * @throws IllegalArgumentException naming every problem
     */
    public static Map<String, Path> from(Config config) {
        Map<String, Path> binaries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String key : KEYS) {
            if (!config.hasPath(key)) {
                continue;
            }
            if (config.getValue(key).valueType() != ConfigValueType.OBJECT) {
                problems.add(key + " must be an object of name = path");
                continue;
            }
            for (Map.Entry<String, ConfigValue> e : config.getObject(key).entrySet()) {
                String name = e.getKey();
                Object value = e.getValue().unwrapped();
                if (!(value instanceof String text) || text.isBlank()) {
                    problems.add(key + "." + name + " must be a file path");
                    continue;
                }
                Path path = Path.of(text).toAbsolutePath();
                if (!Files.isRegularFile(path)) {
                    problems.add(key + "." + name + ": no such file " + path);
                } else if (BinaryType.fromFileName(path.getFileName().toString())
                        .isEmpty()) {
                    problems.add(key + "." + name + ": " + path + " is not a .jar, .egg or .whl file");
                } else {
                    binaries.putIfAbsent(name, path);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid configuration:\n  - " + String.join("\n  - ", problems));
        }
        return binaries;
    }

    /** Uploads each binary unless its newest version already has the same content. */
    public static void upload(BinaryService service, Map<String, Path> binaries) {
        for (Map.Entry<String, Path> e : binaries.entrySet()) {
            String name = e.getKey();
            Path path = e.getValue();
            BinaryType type =
                    BinaryType.fromFileName(path.getFileName().toString()).orElseThrow();
            try {
                String sha = sha256(path);
                if (sha.equals(newestSha(service, name))) {
                    LOG.info("Binary {} from {} is already stored", name, path);
                    continue;
                }
                try (InputStream in = Files.newInputStream(path)) {
                    service.upload(name, type.mediaType(), in);
                }
                LOG.info("Uploaded binary {} from {}", name, path);
            } catch (IOException | ApiException e2) {
                throw new IllegalStateException(
                        "Could not upload " + path + " as binary " + name + ": " + e2.getMessage(), e2);
            }
        }
    }

    private static String newestSha(BinaryService service, String name) {
        try {
            return service.get(name).sha256();
        } catch (ApiException e) {
            return null;
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
