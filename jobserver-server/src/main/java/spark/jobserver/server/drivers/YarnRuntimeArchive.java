package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;

/**
 * The bundled Spark runtime as one archive of its jars, for YARN containers ({@code spark.yarn.archive}): what
 * a Spark distribution's {@code jars/} is to spark-submit. Built once per runtime (named after its jars' paths,
 * sizes and times) in the server's root directory, uncompressed as Spark builds its own (the jars are compressed
 * already). spark-submit still uploads it to each application's staging directory, but as one file rather than
 * some 200, which YARN localizes in about half the time (see docs/clusters.md, YARN).
 */
final class YarnRuntimeArchive {
    private static final Logger LOG = LoggerFactory.getLogger(YarnRuntimeArchive.class);
    private static final String PREFIX = "spark-runtime-";

    private final Path dir;
    private final String classpath;

    /**
     * @param dir where the archive is kept
     * @param classpath the runtime's class path (its {@code .jar} entries go into the archive)
     */
    YarnRuntimeArchive(Path dir, String classpath) {
        this.dir = requireNonNull(dir, "dir is null");
        this.classpath = requireNonNull(classpath, "classpath is null");
    }

    /**
     * The archive, built first if it does not exist yet (a few seconds, once); older archives are removed.
     * Callers wait for one another: concurrent launches build it once.
     */
    synchronized Path get() throws IOException {
        List<Path> jars = jars();
        Path archive = dir.resolve(PREFIX + key(jars) + ".zip");
        if (Files.isRegularFile(archive)) {
            return archive;
        }
        long started = System.nanoTime();
        Files.createDirectories(dir);
        Path partial = Files.createTempFile(dir, PREFIX, ".zip.part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16);
                    ZipOutputStream zip = new ZipOutputStream(out)) {
                zip.setLevel(Deflater.NO_COMPRESSION);
                for (Path jar : jars) {
                    zip.putNextEntry(new ZipEntry(jar.getFileName().toString()));
                    Files.copy(jar, zip);
                    zip.closeEntry();
                }
            }
            MoreFiles.moveIntoPlace(partial, archive);
        } finally {
            Files.deleteIfExists(partial);
        }
        removeOthers(archive);
        LOG.info(
                "Built the Spark runtime archive for YARN containers: {} ({} jars, {} MB, {} ms)",
                archive,
                jars.size(),
                Files.size(archive) >> 20,
                (System.nanoTime() - started) / 1_000_000);
        return archive;
    }

    /** The runtime's jars, one per file name (the first, as on a class path): an archive holds one of each. */
    private List<Path> jars() {
        List<Path> jars = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (entry.endsWith(".jar")
                    && Files.isRegularFile(jar)
                    && names.add(jar.getFileName().toString())) {
                jars.add(jar);
            }
        }
        return jars;
    }

    private static String key(List<Path> jars) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path jar : jars) {
                String line = jar + "|" + Files.size(jar) + "|"
                        + Files.getLastModifiedTime(jar).toMillis() + "\n";
                digest.update(line.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void removeOthers(Path keep) {
        try (DirectoryStream<Path> archives = Files.newDirectoryStream(dir, PREFIX + "*.zip")) {
            for (Path old : archives) {
                if (!old.equals(keep)) {
                    Files.deleteIfExists(old);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not remove older Spark runtime archives in {}: {}", dir, e.getMessage());
        }
    }
}
