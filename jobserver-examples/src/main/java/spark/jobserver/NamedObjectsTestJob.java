package spark.jobserver;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Creates, replaces and forgets named objects, then returns the names the context holds, sorted.
 * Reads {@code createDF = true} (stores the DataFrame {@code df1}), {@code createRDD = true} (the RDD
 * {@code rdd1}), {@code createBroadcast} (any value: the broadcast variable {@code broadcast1}) and
 * {@code delete} (a list of names to forget). Legacy style with {@link NamedObjectSupport}; runs in
 * default contexts. For example {@code createDF = true, createRDD = true, createBroadcast = yes} returns
 * {@code ["broadcast1","df1","rdd1"]}, and a later job with {@code delete = [df1]} returns
 * {@code ["broadcast1","rdd1"]}.
 */
public final class NamedObjectsTestJob implements SparkJob, NamedObjectSupport {
    private NamedObjects namedObjects;

    @Override
    public void setNamedObjects(NamedObjects namedObjects) {
        this.namedObjects = namedObjects;
    }

    @Override
    public SparkJobValidation validate(SparkContext sc, Config config) {
        return SparkJobValid.INSTANCE;
    }

    @Override
    public Object runJob(SparkContext sc, Config config) throws Exception {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        if (config.hasPath("createDF") && config.getBoolean("createDF")) {
            SparkSession spark = SparkSession.builder().config(sc.getConf()).getOrCreate();
            StructType struct =
                    new StructType().add("i", DataTypes.IntegerType, true).add("b", DataTypes.BooleanType, false);
            Dataset<Row> df = spark.createDataFrame(rows(jsc), struct);
            namedObjects.update(
                    "df1",
                    () -> new NamedDataFrame(df, true, StorageLevel.MEMORY_AND_DISK()),
                    new DataFramePersister());
        }
        if (config.hasPath("createRDD") && config.getBoolean("createRDD")) {
            namedObjects.update(
                    "rdd1",
                    () -> new NamedRDD<>(rows(jsc).rdd(), true, StorageLevel.MEMORY_ONLY()),
                    new RDDPersister<Row>());
        }
        if (config.hasPath("createBroadcast")) {
            namedObjects.update(
                    "broadcast1",
                    () -> new NamedBroadcast<>(jsc.broadcast(Set.of(1, 2, 3, 4, 5))),
                    new BroadcastPersister<Set<Integer>>());
        }
        if (config.hasPath("delete")) {
            for (String name : config.getStringList("delete")) {
                namedObjects.forget(name);
            }
        }
        // Sleep just a bit to let other jobs in, as the original did.
        Thread.sleep(1);
        return namedObjects.getNames().toArray(new String[0]);
    }

    private static JavaRDD<Row> rows(JavaSparkContext jsc) {
        return jsc.parallelize(
                List.of(RowFactory.create(1, true), RowFactory.create(2, false), RowFactory.create(55, true)));
    }
}
