package spark.jobserver.server.binaries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import spark.jobserver.server.store.StoreException;
import spark.jobserver.server.store.TestDatabases;
import spark.jobserver.server.store.TestStores;
import spark.jobserver.server.store.TestStores.Metadata;

/**
 * What every store must do for {@link BinaryStore}: versions in H2, PostgreSQL, MariaDB or ZooKeeper, bytes in the
 * SQL database or in HDFS.
 */
@ParameterizedClass(name = "versions in {0}, bytes in HDFS: {1}")
@MethodSource("backends")
class BinaryStoreContractTest {
    private static final TestStores STORES = new TestStores();

    @Parameter(0)
    Metadata backend;

    @Parameter(1)
    boolean bytesInHdfs;

    @TempDir
    Path dir;

    private TestStores.Opened opened;
    private BinaryStore store;

    static List<Arguments> backends() {
        return List.of(
                Arguments.of(Metadata.H2, false),
                Arguments.of(Metadata.POSTGRESQL, false),
                Arguments.of(Metadata.MYSQL, false),
                Arguments.of(Metadata.H2, true),
                Arguments.of(Metadata.ZOOKEEPER, false),
                Arguments.of(Metadata.ZOOKEEPER, true));
    }

    @BeforeEach
    void setUp() {
        opened = STORES.open(backend, bytesInHdfs);
        store = opened.stores().binaries();
    }

    @AfterAll
    static void stopServers() throws Exception {
        STORES.close();
    }

    /** How many distinct bytes are stored: files in HDFS, content rows in the database. */
    private long storedContents() {
        return bytesInHdfs
                ? TestStores.files(opened.hdfsDir())
                : TestDatabases.count(opened.database(), "binary_contents");
    }

    /** The database's chunks: {@code sql} of them when it holds the bytes, none when HDFS does. */
    private void assertChunks(long sql) {
        assertThat(TestDatabases.count(opened.database(), "binary_chunks")).isEqualTo(bytesInHdfs ? 0 : sql);
    }

    /** How many versions are recorded. */
    private long versions() throws Exception {
        if (backend != Metadata.ZOOKEEPER) {
            return TestDatabases.count(opened.database(), "binaries");
        }
        long n = 0;
        for (String app : opened.zookeeper().children("/binaries")) {
            n += opened.zookeeper().children("/binaries/" + app).size();
        }
        return n;
    }

    @Test
    void theNewestVersionOfEachAppIsListed() throws Exception {
        store.save(info("app", file(10, 1), 1000), file(10, 1));
        store.save(info("app", file(20, 2), 2000), file(20, 2));
        store.save(info("other", file(30, 3), 1500), file(30, 3));

        assertThat(store.latest("app"))
                .get()
                .extracting(BinaryInfo::size, b -> b.uploadTime().toEpochMilli())
                .containsExactly(20L, 2000L);
        assertThat(store.latestOfEach())
                .extracting(BinaryInfo::appName, BinaryInfo::size)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("app", 20L),
                        org.assertj.core.groups.Tuple.tuple("other", 30L));
        assertThat(store.latest("missing")).isEmpty();
    }

    @Test
    void namesCompareExactly() throws Exception {
        store.save(info("Test", file(10, 1), 1000), file(10, 1));
        store.save(info("tést ünïcødé ✓", file(11, 2), 1000), file(11, 2));

        assertThat(store.latest("test")).isEmpty();
        assertThat(store.latest("Test ")).isEmpty();
        assertThat(store.latest("Test\u00a0")).isEmpty();
        assertThat(store.latest("Test")).isPresent();
        assertThat(store.latest("tést ünïcødé ✓"))
                .get()
                .extracting(BinaryInfo::size)
                .isEqualTo(11L);
    }

    @Test
    void bytesLargerThanManyChunksComeBackIdentical() throws Exception {
        Path content = file(JdbcBinaryStore.CHUNK_SIZE * 2 + 12345, 7);
        BinaryInfo info = info("big", content, 1000);
        store.save(info, content);

        assertThat(store.latest("big")).get().extracting(BinaryInfo::size).isEqualTo(Files.size(content));
        try (InputStream in = store.content(info.sha256()).orElseThrow()) {
            assertThat(sha256(in)).isEqualTo(info.sha256());
        }
        assertThat(store.content("0".repeat(64))).isEmpty();
    }

    @Test
    void identicalBytesAreStoredOnceAndKeptWhileAnyAppUsesThem() throws Exception {
        Path content = file(5000, 4);
        BinaryInfo a = info("a", content, 1000);
        store.save(a, content);
        store.save(info("b", content, 2000), content);
        assertThat(storedContents()).isEqualTo(1);
        assertChunks(1);

        assertThat(store.deleteAll("a")).isEqualTo(1);
        try (InputStream in = store.content(a.sha256()).orElseThrow()) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(content));
        }
        assertThat(store.deleteAll("b")).isEqualTo(1);
        assertThat(store.content(a.sha256())).isEmpty();
        assertThat(storedContents()).isZero();
        assertChunks(0);
        assertThat(store.deleteAll("b")).isZero();
    }

    @Test
    void deletingRemovesEveryVersion() throws Exception {
        store.save(info("app", file(10, 1), 1000), file(10, 1));
        store.save(info("app", file(20, 2), 2000), file(20, 2));
        assertThat(store.deleteAll("app")).isEqualTo(2);
        assertThat(store.latest("app")).isEmpty();
        assertThat(store.latestOfEach()).isEmpty();
    }

    @Test
    void aSaveThatFailsHalfwayLeavesNothingBehind() throws Exception {
        Path content = file(JdbcBinaryStore.CHUNK_SIZE + 10, 5);
        BinaryInfo lying = new BinaryInfo(
                "broken", BinaryType.JAR, Instant.ofEpochMilli(1000), sha256(content), Files.size(content) + 1);

        assertThatThrownBy(() -> store.save(lying, content)).isInstanceOf(StoreException.class);
        assertThat(store.latest("broken")).isEmpty();
        assertThat(store.latestOfEach()).isEmpty();
        assertThat(storedContents()).isZero();
        assertChunks(0);
    }

    @Test
    void concurrentUploadsOfTheSameBytesAllSucceed() throws Exception {
        Path content = file(JdbcBinaryStore.CHUNK_SIZE + 100, 9);
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String name = "same-" + i;
                done.add(pool.submit(() -> store.save(info(name, content, 1000), content)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.latestOfEach()).hasSize(writers);
        assertThat(storedContents()).isEqualTo(1);
        assertChunks(2);
    }

    @Test
    void concurrentUploadsOfDifferentBinaries() throws Exception {
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                done.add(pool.submit(() -> {
                    for (int version = 0; version < 5; version++) {
                        Path content = file(1000 + n * 10 + version, n * 100 + version);
                        store.save(info("app-" + n, content, 1000 + version), content);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.latestOfEach())
                .hasSize(writers)
                .allSatisfy(b -> assertThat(b.uploadTime().toEpochMilli()).isEqualTo(1004));
        assertThat(versions()).isEqualTo(writers * 5L);
    }

    private BinaryInfo info(String name, Path content, long uploadTime) {
        try {
            return new BinaryInfo(
                    name, BinaryType.JAR, Instant.ofEpochMilli(uploadTime), sha256(content), Files.size(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file of {@code size} pseudo-random bytes; the same seed gives the same file. */
    private Path file(int size, long seed) {
        Path path = dir.resolve("content-" + size + "-" + seed);
        try {
            if (!Files.exists(path)) {
                byte[] bytes = new byte[size];
                new Random(seed).nextBytes(bytes);
                Path temp = Files.createTempFile(dir, "w", ".tmp");
                Files.write(temp, bytes);
                Files.move(temp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return path;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(Path path) throws Exception {
        try (InputStream in = Files.newInputStream(path)) {
            return sha256(in);
        }
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
