package spark.jobserver.server.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import spark.jobserver.server.http.Json;

/**
 * The ZooKeeper of the metadata stores: a Curator client whose namespace is {@code zookeeperdao.dir}, and what
 * those stores share: JSON node data read with its version (for compare-and-set), texts larger than a znode may
 * hold split into chunk nodes, names made safe for a znode, and reads of many nodes at once (pipelined, not one
 * round trip each). Every failure other than the ones a store handles becomes a {@link StoreException}.
 */
public final class ZooKeeper implements AutoCloseable {
    /**
     * Bytes per chunk node of a text: ZooKeeper refuses a request larger than its {@code jute.maxbuffer}
     * (1 MB by default), and a transaction counts all of its operations.
     */
    static final int CHUNK_BYTES = 256 * 1024;

    /** The server's JSON, with instants as epoch milliseconds (as the SQL stores keep them). */
    private static final ObjectMapper MAPPER = Json.MAPPER
            .copy()
            .registerModule(new SimpleModule()
                    .addSerializer(Instant.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider)
                                throws IOException {
                            out.writeNumber(value.toEpochMilli());
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
                            return Instant.ofEpochMilli(in.getLongValue());
                        }
                    }));

    private final CuratorFramework client;
    private final String where;

    private ZooKeeper(CuratorFramework client, String where) {
        this.client = client;
        this.where = where;
    }

    /**
     * Connects, or fails within the connection timeout: a server that cannot be reached fails the start rather
     * than hanging it.
     *
     * @throws IllegalStateException naming the connection string when ZooKeeper does not answer in time
     */
    public static ZooKeeper connect(StoreSettings.ZooKeeperSettings settings) {
        String where = settings.connectionString() + "/" + settings.dir();
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(settings.connectionString())
                .namespace(settings.dir())
                .retryPolicy(new ExponentialBackoffRetry(settings.sleepMsBetweenRetries(), settings.retries()))
                .connectionTimeoutMs(settings.connectionTimeoutMs())
                .sessionTimeoutMs(settings.sessionTimeoutMs())
                .build();
        client.start();
        try {
            if (!client.blockUntilConnected(settings.connectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
                client.close();
                throw new IllegalStateException("ZooKeeper at " + settings.connectionString() + " cannot be reached"
                        + " (no connection within spark.jobserver.zookeeperdao.curator.connectionTimeoutMs = "
                        + settings.connectionTimeoutMs() + " ms)");
            }
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while connecting to ZooKeeper at " + where, e);
        }
        return new ZooKeeper(client, where);
    }

    /** One call to ZooKeeper; may throw anything, which {@link #call} turns into a {@link StoreException}. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    /** Runs {@code call}; a failure becomes a {@link StoreException} saying {@code what} failed. */
    public <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (StoreException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(what + " in ZooKeeper (" + where + ") was interrupted", e);
        } catch (Exception e) {
            throw new StoreException(what + " in ZooKeeper (" + where + ") failed: " + e, e);
        }
    }

    public CuratorFramework client() {
        return client;
    }

    /** Creates these nodes (and their parents) unless they exist. */
    public void ensure(String... paths) {
        call("Creating the store's nodes", () -> {
            for (String path : paths) {
                try {
                    client.create().creatingParentsIfNeeded().forPath(path);
                } catch (KeeperException.NodeExistsException e) {
                    // there already
                }
            }
            return null;
        });
    }

    /** A node's data as read, with the version a compare-and-set gives back. */
    public record Node<T>(String path, T value, int version) {}

    /** The JSON bytes of {@code value}; records as their components, instants as epoch milliseconds. */
    public static byte[] json(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node at {@code path} read as JSON of {@code type}; empty when there is none. */
    public <T> Optional<Node<T>> read(String path, Class<T> type) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = client.getData().storingStatIn(stat).forPath(path);
            return Optional.of(new Node<>(path, MAPPER.readValue(data, type), stat.getVersion()));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /**
     * The nodes at {@code paths}, in that order, read as JSON of {@code type}; nodes that are gone are left out.
     * The reads are sent at once and answered in one stream, so a thousand nodes cost about one round trip.
     */
    public <T> List<Node<T>> readAll(List<String> paths, Class<T> type) throws Exception {
        Object[] results = new Object[paths.size()];
        CountDownLatch done = new CountDownLatch(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            int index = i;
            client.getData()
                    .inBackground((c, event) -> {
                        try {
                            int code = event.getResultCode();
                            if (code == KeeperException.Code.OK.intValue()) {
                                results[index] = new Node<>(
                                        paths.get(index),
                                        MAPPER.readValue(event.getData(), type),
                                        event.getStat().getVersion());
                            } else if (code != KeeperException.Code.NONODE.intValue()) {
                                results[index] =
                                        KeeperException.create(KeeperException.Code.get(code), paths.get(index));
                            }
                        } catch (Exception e) {
                            results[index] = e;
                        } finally {
                            done.countDown();
                        }
                    })
                    .forPath(paths.get(i));
        }
        done.await();
        List<Node<T>> nodes = new ArrayList<>(paths.size());
        for (Object result : results) {
            if (result instanceof Exception e) {
                throw e;
            }
            if (result != null) {
                @SuppressWarnings("unchecked")
                Node<T> node = (Node<T>) result;
                nodes.add(node);
            }
        }
        return nodes;
    }

    /** Whether a node is at {@code path}. */
    public boolean exists(String path) throws Exception {
        return client.checkExists().forPath(path) != null;
    }

    /** The names of the children of {@code path}; none when it does not exist. */
    public List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /**
     * Operations that create {@code text} at {@code path}: the node holds the number of chunks, its children
     * {@code 0}, {@code 1}, ... the UTF-8 bytes, at most {@value #CHUNK_BYTES} each.
     */
    public List<CuratorOp> createText(String path, String text) throws Exception {
        List<byte[]> chunks = chunks(text);
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(client.transactionOp()
                .create()
                .forPath(path, Integer.toString(chunks.size()).getBytes(UTF_8)));
        for (int i = 0; i < chunks.size(); i++) {
            ops.add(client.transactionOp().create().forPath(path + "/" + i, chunks.get(i)));
        }
        return ops;
    }

    private static List<byte[]> chunks(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += CHUNK_BYTES) {
            chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + CHUNK_BYTES)));
        }
        return chunks;
    }

    /**
     * Writes {@code text} at {@code path} chunk by chunk, each chunk a request of its own: for texts too large for
     * one transaction. The node naming the text is made visible by the caller's own compare-and-set afterwards.
     */
    public void writeText(String path, String text) throws Exception {
        List<byte[]> chunks = chunks(text);
        client.create().forPath(path, Integer.toString(chunks.size()).getBytes(UTF_8));
        for (int i = 0; i < chunks.size(); i++) {
            client.create().forPath(path + "/" + i, chunks.get(i));
        }
    }

    /** The text written at {@code path} by {@link #createText} or {@link #writeText}. */
    public String readText(String path) throws Exception {
        int chunks = Integer.parseInt(new String(client.getData().forPath(path), UTF_8));
        List<String> paths = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            paths.add(path + "/" + i);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String chunk : paths) {
            out.write(client.getData().forPath(chunk));
        }
        return out.toString(UTF_8);
    }

    /** Deletes {@code path} and everything under it; nothing when it is gone. */
    public void deleteTree(String path) throws Exception {
        try {
            client.delete().deletingChildrenIfNeeded().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            // gone already
        }
    }

    /** Runs the operations as one ZooKeeper transaction: all of them or none. */
    public void transaction(List<CuratorOp> ops) throws Exception {
        client.transaction().forOperations(ops);
    }

    /**
     * {@code name} as one znode name: letters, digits, {@code -} and {@code _} as they are, every other UTF-8
     * byte as {@code %XX}. Distinct names stay distinct, and {@code .}, {@code /} and control characters, which a
     * znode name cannot be or hold, never appear.
     */
    public static String nodeName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        client.close();
    }
}
