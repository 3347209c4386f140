package spark.jobserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The persisters of the named-object wrappers, on one real local Spark session shared by the class. */
class NamedObjectPersistersTest {
    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .config(new SparkConf(false)
                        .setMaster("local[1]")
                        .setAppName("NamedObjectPersistersTest")
                        .set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1")
                        .set("spark.driver.bindAddress", "127.0.0.1"))
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static boolean cached(RDD<?> rdd) {
        // The storage information comes from the status store, which Spark's listener bus fills
        // asynchronously: wait until it has seen every event so far.
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("Spark's listener bus did not drain", e);
        }
        return java.util.Arrays.stream(spark.sparkContext().getRDDStorageInfo())
                .anyMatch(info -> info.id() == rdd.id() && info.numCachedPartitions() > 0);
    }

    @Test
    void anRddIsNamedPersistedAndComputedWhenAsked() {
        RDD<Integer> rdd = jsc.parallelize(List.of(1, 2, 3)).rdd();
        new RDDPersister<Integer>().persist(new NamedRDD<>(rdd, true, StorageLevel.MEMORY_AND_DISK()), "numbers");
        assertThat(rdd.name()).isEqualTo("numbers");
        assertThat(rdd.getStorageLevel()).isEqualTo(StorageLevel.MEMORY_AND_DISK());
        assertThat(cached(rdd)).isTrue();

        new RDDPersister<Integer>().unpersist(new NamedRDD<>(rdd, true, StorageLevel.MEMORY_AND_DISK()));
        assertThat(rdd.getStorageLevel()).isEqualTo(StorageLevel.NONE());
    }

    @Test
    void anRddAlreadyPersistedKeepsItsLevelAndIsNotComputedUnlessAsked() {
        JavaRDD<Integer> javaRdd = jsc.parallelize(List.of(1, 2)).persist(StorageLevel.DISK_ONLY());
        new RDDPersister<Integer>().persist(new NamedRDD<>(javaRdd.rdd(), false, StorageLevel.MEMORY_ONLY()), "lazy");
        assertThat(javaRdd.getStorageLevel()).isEqualTo(StorageLevel.DISK_ONLY());
        assertThat(cached(javaRdd.rdd())).isFalse();
    }

    @Test
    void forcedComputationNeedsAStorageLevel() {
        RDD<Integer> rdd = jsc.parallelize(List.of(1)).rdd();
        assertThatThrownBy(
                        () -> new RDDPersister<Integer>().persist(new NamedRDD<>(rdd, true, StorageLevel.NONE()), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("forceComputation implies storageLevel != NONE");
        Dataset<Row> df = spark.range(3).toDF();
        assertThatThrownBy(
                        () -> new DataFramePersister().persist(new NamedDataFrame(df, true, StorageLevel.NONE()), "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDataFrameIsPersistedAtItsLevelAndReleased() {
        Dataset<Row> df = spark.range(5).toDF();
        new DataFramePersister().persist(new NamedDataFrame(df, true, StorageLevel.MEMORY_ONLY()), "frame");
        assertThat(df.storageLevel()).isEqualTo(StorageLevel.MEMORY_ONLY());
        new DataFramePersister().unpersist(new NamedDataFrame(df, true, StorageLevel.MEMORY_ONLY()));
        assertThat(df.storageLevel()).isEqualTo(StorageLevel.NONE());
    }

    @Test
    void aBroadcastNeedsNothingToLiveAndIsUnpersistedOnDestroy() {
        Broadcast<Set<Integer>> broadcast = jsc.broadcast(Set.of(1, 2, 3));
        NamedBroadcast<Set<Integer>> named = new NamedBroadcast<>(broadcast);
        new BroadcastPersister<Set<Integer>>().persist(named, "b");
        assertThat(broadcast.value()).containsExactlyInAnyOrder(1, 2, 3);
        new BroadcastPersister<Set<Integer>>().unpersist(named);
        // Unpersisted, not destroyed: the driver still has the value and executors fetch it again if needed.
        assertThat(broadcast.isValid()).isTrue();
        assertThat(jsc.parallelize(List.of(1, 4))
                        .filter(x -> broadcast.value().contains(x))
                        .count())
                .isEqualTo(1);
    }
}
