package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The context's class path: the binaries its jobs (and the context itself) asked for, each added once
 * to the context class loader (for the driver) and once to Spark (for the executors). The context's own
 * binaries are added before the Spark context exists, so a custom context factory can come from one of
 * them; Spark is told about them once it is attached.
 */
final class JobClassPath {
    private static final Logger log = LoggerFactory.getLogger(JobClassPath.class);

    private final ContextClassLoader loader;
    private final BinaryCache cache;
    private final Set<Path> added = ConcurrentHashMap.newKeySet();
    private Consumer<String> sparkAddJar; // guarded by this
    private final List<String> notYetInSpark = new ArrayList<>(); // guarded by this

    /** A class path whose jars reach Spark once {@link #attachSpark} is called. */
    JobClassPath(ContextClassLoader loader, BinaryCache cache) {
        this.loader = requireNonNull(loader, "loader is null");
        this.cache = requireNonNull(cache, "cache is null");
    }

    /**
     * @param sparkAddJar {@code SparkContext::addJar}
     */
    JobClassPath(ContextClassLoader loader, BinaryCache cache, Consumer<String> sparkAddJar) {
        this(loader, cache);
        attachSpark(sparkAddJar);
    }

    ClassLoader loader() {
        return loader;
    }

    /**
     * From now on every jar also goes to Spark ({@code SparkContext::addJar}); the jars added so far go
     * there at once.
     */
    synchronized void attachSpark(Consumer<String> addJar) {
        requireNonNull(addJar, "addJar is null");
        this.sparkAddJar = addJar;
        notYetInSpark.forEach(addJar);
        notYetInSpark.clear();
    }

    /**
     * Makes {@code binaries} available to the job about to load: jars on the class path (and in Spark);
     * eggs and wheels are only fetched, for the context's Python process.
     *
     * @return the local files of the eggs and wheels among {@code binaries}, in order
     * @throws JobRejectedException ({@link Rejection#LOADING_FAILED}) naming the binary that could not be had
     */
    List<Path> addAll(String jobId, List<BinaryRef> binaries) throws JobRejectedException {
        List<Path> python = new ArrayList<>();
        for (BinaryRef ref : binaries) {
            try {
                if (ref.kind().isPython()) {
                    python.add(cache.resolve(ref).toAbsolutePath());
                } else {
                    add("Job " + jobId, ref);
                }
            } catch (IOException | RuntimeException e) {
                String message = "Failed to load binary '" + ref.name() + "': " + e.getMessage();
                throw new JobRejectedException(Rejection.LOADING_FAILED, ErrorInfo.of(new IOException(message, e)));
            }
        }
        return python;
    }

    /**
     * Makes the context's own binaries ({@code dependent-jar-uris} of the context) available, before the
     * context is created.
     *
     * @throws IOException naming the binary that could not be had
     */
    void addForContext(List<BinaryRef> binaries) throws IOException {
        for (BinaryRef ref : binaries) {
            if (ref.kind().isPython()) {
                log.warn("Context: ignoring {} among its binaries: eggs and wheels are given to jobs", ref.name());
                continue;
            }
            try {
                add("Context", ref);
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "Failed to load binary '" + ref.name() + "' of the context: " + e.getMessage(), e);
            }
        }
    }

    private void add(String who, BinaryRef ref) throws IOException {
        Path jar = cache.resolve(ref);
        // Spark is given the original local: URI, which tells it the file already exists on every node.
        String sparkPath = ref.uri() != null && ref.uri().startsWith("local:") ? ref.uri() : jar.toString();
        Path key = jar.toAbsolutePath().normalize();
        // Synchronized so that a second job needing the same jar waits until it is really usable.
        synchronized (this) {
            if (added.contains(key)) {
                return;
            }
            try {
                loader.addURL(key.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IOException("cannot use " + jar + " as a class path entry: " + e.getMessage(), e);
            }
            if (sparkAddJar != null) {
                sparkAddJar.accept(sparkPath);
            } else {
                notYetInSpark.add(sparkPath);
            }
            added.add(key);
        }
        log.info("{}: added {} to the context's class path", who, jar);
    }
}
