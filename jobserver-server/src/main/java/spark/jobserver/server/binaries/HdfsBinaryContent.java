package spark.jobserver.server.binaries;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import spark.jobserver.server.store.StoreException;

/**
 * Binaries' bytes in a Hadoop FileSystem ({@code spark.jobserver.binarydao.dir}: {@code hdfs://...}, or any
 * FileSystem URI, {@code file:} too), one file per SHA-256 named by the hash. A file is written under a temporary
 * name ({@code .tmp-<uuid>}) and renamed when complete, so a crash never leaves part of a binary under its hash.
 * {@code HADOOP_CONF_DIR}'s core-site.xml and hdfs-site.xml are read when set (a name service of HA NameNodes).
 */
public final class HdfsBinaryContent implements BinaryContent, AutoCloseable {
    private static final String TEMPORARY = ".tmp-";
    private final FileSystem fs;
    private final Path dir;

    private HdfsBinaryContent(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /**
     * Opens the FileSystem of {@code dir} and makes the directory, or fails within {@code timeout}: a NameNode that
     * cannot be reached fails the start rather than hanging it.
     *
     * @throws IllegalStateException naming the directory when it cannot be reached or made
     */
    public static HdfsBinaryContent open(String dir, Duration timeout) {
        Configuration conf = configuration(timeout);
        URI uri = URI.create(dir);
        FutureTask<HdfsBinaryContent> opening = new FutureTask<>(() -> {
            FileSystem fs = FileSystem.newInstance(uri, conf);
            try {
                Path path = new Path(uri);
                fs.mkdirs(path);
                fs.getFileStatus(path);
                return new HdfsBinaryContent(fs, path);
            } catch (IOException | RuntimeException e) {
                fs.close();
                throw e;
            }
        });
        Thread thread = new Thread(opening, "jobserver-binaries-open");
        thread.setDaemon(true);
        thread.start();
        try {
            return opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new IllegalStateException("The binaries' directory " + dir + " (spark.jobserver.binarydao.dir) did"
                    + " not answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "The binaries' directory " + dir + " (spark.jobserver.binarydao.dir) cannot be used: "
                            + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while opening " + dir, e);
        }
    }

    private static Configuration configuration(Duration timeout) {
        Configuration conf = new Configuration();
        String confDir = System.getenv("HADOOP_CONF_DIR");
        if (confDir != null && !confDir.isBlank()) {
            for (String site : new String[] {"core-site.xml", "hdfs-site.xml"}) {
                java.nio.file.Path file = java.nio.file.Path.of(confDir, site);
                if (Files.isRegularFile(file)) {
                    conf.addResource(new Path(file.toUri()));
                }
            }
        }
        // A NameNode that is down is given up on after a few tries rather than Hadoop's 45 (retries on timeouts).
        conf.setIfUnset("ipc.client.connect.max.retries", "3");
        conf.setIfUnset("ipc.client.connect.max.retries.on.timeouts", "3");
        conf.setIfUnset("ipc.client.connect.timeout", Long.toString(Math.max(1000, timeout.toMillis() / 4)));
        return conf;
    }

    private Path file(String sha256) {
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256: " + sha256);
        }
        return new Path(dir, sha256);
    }

    @Override
    public void store(String sha256, long size, java.nio.file.Path content) {
        Path target = file(sha256);
        Path temporary = new Path(dir, TEMPORARY + UUID.randomUUID());
        try {
            if (fs.exists(target)) {
                return;
            }
            long written;
            try (InputStream in = Files.newInputStream(content);
                    FSDataOutputStream out = fs.create(temporary, false)) {
                written = in.transferTo(out);
            }
            if (written != size) {
                throw new IOException("The file of binary " + sha256 + " has " + written + " bytes, not " + size);
            }
            if (!fs.rename(temporary, target) && !fs.exists(target)) {
                throw new IOException("Renaming " + temporary + " to " + target + " failed");
            }
        } catch (IOException e) {
            throw new StoreException("Storing binary " + sha256 + " in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(temporary); // still there when the rename failed or another upload's won
        }
    }

    private void deleteQuietly(Path path) {
        try {
            fs.delete(path, false);
        } catch (IOException e) {
            // left behind under a temporary name, which is never read
        }
    }

    @Override
    public Optional<InputStream> open(String sha256) {
        try {
            return Optional.of(fs.open(file(sha256)));
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("Reading binary " + sha256 + " from " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String sha256) {
        try {
            fs.delete(file(sha256), false);
        } catch (IOException e) {
            throw new StoreException("Deleting binary " + sha256 + " from " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }
}
