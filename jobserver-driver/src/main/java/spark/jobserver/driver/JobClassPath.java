package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.ErrorInfo;
import spark.jobserver.protocol.Rejection;

/**
 * The context's class path: the binaries its jobs asked for, each added once to the context class
 * loader (for the driver) and once to Spark (for the executors).
 */
final class JobClassPath {
    private static final Logger log = LoggerFactory.getLogger(JobClassPath.class);

    private final ContextClassLoader loader;
    private final BinaryCache cache;
    private final Consumer<String> sparkAddJar;
    private final Set<Path> added = ConcurrentHashMap.newKeySet();

    /**
     * @param sparkAddJar {@code SparkContext::addJar}
     */
    JobClassPath(ContextClassLoader loader, BinaryCache cache, Consumer<String> sparkAddJar) {
        this.loader = requireNonNull(loader, "loader is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.sparkAddJar = requireNonNull(sparkAddJar, "sparkAddJar is null");
    }

    ClassLoader loader() {
        return loader;
    }

    /**
     * Makes {@code binaries} available to the job about to load.
     *
     * @throws JobRejectedException ({@link Rejection#LOADING_FAILED}) naming the binary that could not be had
     */
    void addAll(String jobId, List<BinaryRef> binaries) throws JobRejectedException {
        for (BinaryRef ref : binaries) {
            Path jar;
            try {
                jar = cache.resolve(ref);
            } catch (IOException | RuntimeException e) {
                String message = "Failed to load binary '" + ref.name() + "': " + e.getMessage();
                throw new JobRejectedException(Rejection.LOADING_FAILED, ErrorInfo.of(new IOException(message, e)));
            }
            add(jobId, jar, ref.uri() != null && ref.uri().startsWith("local:") ? ref.uri() : jar.toString());
        }
    }

    /**
     * @param sparkPath what Spark is given: the file, or the original {@code local:} URI, which tells
     *     Spark the file already exists on every node
     */
    private void add(String jobId, Path jar, String sparkPath) throws JobRejectedException {
        Path key = jar.toAbsolutePath().normalize();
        // Synchronized so that a second job needing the same jar waits until it is really usable.
        synchronized (this) {
            if (added.contains(key)) {
                return;
            }
            try {
                loader.addURL(key.toUri().toURL());
            } catch (MalformedURLException e) {
                throw JobRejectedException.of(Rejection.LOADING_FAILED, "Failed to load binary " + jar + ": " + e.getMessage(), e);
            }
            sparkAddJar.accept(sparkPath);
            added.add(key);
        }
        log.info("Job {}: added {} to the context's class path", jobId, jar);
    }
}
