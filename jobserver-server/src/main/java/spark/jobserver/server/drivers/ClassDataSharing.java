package spark.jobserver.server.drivers;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;

/**
 * Class-data sharing (AppCDS) for driver JVMs: a dynamic archive of the classes a driver loads while
 * it creates its Spark context, built once per JDK and class path by a background training run and
 * used by every later driver. A context then starts in about half the time. The archive is never
 * built on the path of a request: a driver launched before it exists just starts without it.
 */
final class ClassDataSharing {
    private static final Logger LOG = LoggerFactory.getLogger(ClassDataSharing.class);
    static final String TRAINING_CLASS = "spark.jobserver.driver.CdsTraining";

    private final Path dir;
    private final boolean enabled;
    private final Executor executor;
    private final Set<String> building = ConcurrentHashMap.newKeySet();

    /** @param executor where the end of a training run is handled (not the JDK's process reaper) */
    ClassDataSharing(Path dir, boolean enabled, Executor executor) {
        this.dir = dir;
        this.enabled = enabled;
        this.executor = executor;
    }

    /**
     * The JVM options that use the archive for this JDK and class path, if it exists; otherwise
     * none, and a background build of the archive is started (once).
     *
     * @param trainingCommand the command of the training run, given the archive file to write
     */
    List<String> options(
            String java, String classpath, java.util.function.Function<Path, List<String>> trainingCommand) {
        if (!enabled) {
            return List.of();
        }
        String key = key(java, classpath);
        Path archive = dir.resolve(key + ".jsa");
        if (Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off");
        }
        if (building.add(key)) {
            startTraining(key, archive, trainingCommand);
        }
        return List.of();
    }

    private void startTraining(
            String key, Path archive, java.util.function.Function<Path, List<String>> trainingCommand) {
        try {
            Files.createDirectories(dir);
            Path partial = dir.resolve(key + ".jsa.part");
            Files.deleteIfExists(partial);
            Path log = dir.resolve(key + ".log");
            List<String> command = new ArrayList<>();
            if (new File("/usr/bin/nice").canExecute()) {
                command.add("/usr/bin/nice"); // leave the CPU to requests and running contexts
            }
            command.addAll(trainingCommand.apply(partial));
            Path work = Files.createTempDirectory(dir, "training-");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
            LOG.info("Building the class-data sharing archive for driver JVMs in the background ({})", archive);
            Process process = pb.start();
            process.onExit().thenAcceptAsync(p -> finish(key, partial, archive, p.exitValue(), work, log), executor);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not start building the class-data sharing archive; drivers start without it", e);
            building.remove(key);
        }
    }

    private void finish(String key, Path partial, Path archive, int exitCode, Path work, Path log) {
        try {
            if (exitCode == 0 && Files.isRegularFile(partial)) {
                MoreFiles.moveIntoPlace(partial, archive);
                LOG.info("Class-data sharing archive ready: later contexts start faster ({})", archive);
            } else {
                LOG.warn("Building the class-data sharing archive failed (exit code {}); see {}", exitCode, log);
                Files.deleteIfExists(partial);
            }
            deleteRecursively(work);
        } catch (IOException e) {
            LOG.warn("Could not install the class-data sharing archive", e);
        } finally {
            building.remove(key);
        }
    }

    /** Whether an archive exists for this JDK and class path. */
    boolean hasArchive(String java, String classpath) {
        return enabled && Files.isRegularFile(dir.resolve(key(java, classpath) + ".jsa"));
    }

    /**
     * The archive is only valid for the same JDK build and the same jars (paths, sizes, times), so the
     * key covers all of them: a rebuilt jar or an upgraded JDK gets a new archive.
     */
    static String key(String java, String classpath) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(java.getBytes(StandardCharsets.UTF_8));
            Path javaFile = Path.of(java).toRealPath();
            digest.update(javaFile.toString().getBytes(StandardCharsets.UTF_8));
            Optional.ofNullable(javaFile.getParent())
                    .map(Path::getParent)
                    .map(home -> home.resolve("release"))
                    .filter(Files::isRegularFile)
                    .ifPresent(release -> update(digest, release));
            for (String entry : classpath.split(File.pathSeparator)) {
                digest.update(entry.getBytes(StandardCharsets.UTF_8));
                File f = new File(entry);
                digest.update((f.length() + ":" + f.lastModified()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 24);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("Cannot compute the class-data sharing key", e);
        }
    }

    private static void update(MessageDigest digest, Path file) {
        try {
            digest.update(Files.readAllBytes(file));
        } catch (IOException e) {
            // the JDK path alone still identifies it well enough
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
