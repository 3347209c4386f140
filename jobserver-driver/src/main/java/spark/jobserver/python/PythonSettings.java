package spark.jobserver.python;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;

/**
 * How a context's Python process is started, from the context's settings ({@code python.executable},
 * {@code python.paths}, ours {@code python.start-timeout}) and the driver's environment.
 *
 * @param executable the interpreter, a name looked up on the PATH or a path
 * @param paths what the interpreter's PYTHONPATH holds, in order: the context's {@code python.paths}, the
 *     Python of the Spark distribution the driver runs on (if it runs on one), the job server's Python
 *     runtime ({@value #RUNTIME_ENV}: sparkjobserver, pyspark, py4j, pyhocon), and the PYTHONPATH the
 *     driver itself has
 * @param startTimeout how long the interpreter has to connect back
 */
record PythonSettings(String executable, List<String> paths, Duration startTimeout) {
    /** The environment variable that names the job server's Python runtime; bin/jobserver sets it. */
    static final String RUNTIME_ENV = "JOBSERVER_PYTHON_PATH";

    static final String EXECUTABLE = "python.executable";
    static final String PATHS = "python.paths";
    static final String START_TIMEOUT = "python.start-timeout";

    PythonSettings {
        requireNonNull(executable, "executable is null");
        if (executable.isBlank()) {
            throw new IllegalArgumentException(EXECUTABLE + " is empty");
        }
        paths = List.copyOf(paths);
        requireNonNull(startTimeout, "startTimeout is null");
    }

    /**
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    static PythonSettings from(Config settings, Map<String, String> env) {
        String executable;
        List<String> own;
        Duration timeout;
        try {
            executable = settings.hasPath(EXECUTABLE) ? settings.getString(EXECUTABLE) : "python3";
            own = settings.hasPath(PATHS) ? settings.getStringList(PATHS) : List.of();
            timeout = settings.hasPath(START_TIMEOUT) ? settings.getDuration(START_TIMEOUT) : Duration.ofSeconds(60);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid Python setting: " + e.getMessage(), e);
        }
        Set<String> paths = new LinkedHashSet<>(own);
        paths.addAll(distributionPython(env.get("SPARK_HOME")));
        paths.addAll(split(env.get(RUNTIME_ENV)));
        paths.addAll(split(env.get("PYTHONPATH")));
        return new PythonSettings(executable, new ArrayList<>(paths), timeout);
    }

    /** The interpreter's PYTHONPATH. */
    String pythonPath() {
        return String.join(File.pathSeparator, paths);
    }

    /**
     * The pyspark and py4j of the Spark distribution at {@code sparkHome}, when the driver runs on its
     * jars: their versions are the driver's. A binary distribution has them as {@code python/lib/*.zip};
     * a pip-installed pyspark is its own SPARK_HOME, inside the directory that holds the package.
     */
    private static List<String> distributionPython(String sparkHome) {
        if (sparkHome == null || sparkHome.isBlank() || !runsOn(Path.of(sparkHome))) {
            return List.of();
        }
        Path home = Path.of(sparkHome).toAbsolutePath().normalize();
        Path lib = home.resolve("python").resolve("lib");
        List<String> found = new ArrayList<>();
        if (Files.isRegularFile(lib.resolve("pyspark.zip"))) {
            found.add(lib.resolve("pyspark.zip").toString());
            try (DirectoryStream<Path> zips = Files.newDirectoryStream(lib, "py4j-*.zip")) {
                zips.forEach(zip -> found.add(zip.toString()));
            } catch (IOException e) {
                // no py4j there: the runtime's serves
            }
        } else if (Files.isRegularFile(home.resolve("__init__.py")) && home.getParent() != null) {
            found.add(home.getParent().toString());
        }
        return found;
    }

    /** Whether this JVM's Spark comes from {@code sparkHome}. */
    private static boolean runsOn(Path sparkHome) {
        try {
            Path jar = Path.of(SparkContext.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return jar.toRealPath().startsWith(sparkHome.toRealPath());
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return false;
        }
    }

    private static List<String> split(String path) {
        if (path == null || path.isBlank()) {
            return List.of();
        }
        return List.of(path.split(File.pathSeparator)).stream()
                .filter(p -> !p.isBlank())
                .toList();
    }
}
