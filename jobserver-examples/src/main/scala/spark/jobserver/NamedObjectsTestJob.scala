package spark.jobserver

import scala.jdk.CollectionConverters._
import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.types.{BooleanType, IntegerType, StructField, StructType}
import org.apache.spark.storage.StorageLevel

/**
 * Creates, replaces and forgets named objects of every kind, then returns the names the context holds,
 * sorted. Legacy style with [[NamedObjectSupport]]; runs in default contexts.
 *
 * Reads `createDF = true` (stores the DataFrame `df1`, `MEMORY_AND_DISK`), `createRDD = true` (the RDD
 * `rdd1`, `MEMORY_ONLY`), `createBroadcast` (any value: the broadcast variable `broadcast1`) and `delete`
 * (a list of names to forget). An object created again replaces the one of the same name.
 *
 * For example `createDF = true, createRDD = true, createBroadcast = yes` returns
 * `["broadcast1","df1","rdd1"]`, and a later job with `delete = [df1]` returns `["broadcast1","rdd1"]`.
 */
class NamedObjectsTestJob extends SparkJob with NamedObjectSupport {
  private implicit val rowsPersister: NamedObjectPersister[NamedRDD[Row]] = new RDDPersister[Row]
  private implicit val dataFramePersister: NamedObjectPersister[NamedDataFrame] = new DataFramePersister
  private implicit def broadcastPersister[T]: NamedObjectPersister[NamedBroadcast[T]] = new BroadcastPersister[T]

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    if (flag(jobConfig, "createDF")) {
      val spark = SparkSession.builder().config(sc.getConf).getOrCreate()
      val schema = StructType(Seq(StructField("i", IntegerType, nullable = true), StructField("b", BooleanType, nullable = false)))
      val df = spark.createDataFrame(rows(sc), schema)
      namedObjects.update("df1", NamedDataFrame(df, forceComputation = true, StorageLevel.MEMORY_AND_DISK))
    }
    if (flag(jobConfig, "createRDD")) {
      namedObjects.update("rdd1", NamedRDD(rows(sc), forceComputation = true, StorageLevel.MEMORY_ONLY))
    }
    if (jobConfig.hasPath("createBroadcast")) {
      namedObjects.update("broadcast1", NamedBroadcast(sc.broadcast(Set(1, 2, 3, 4, 5))))
    }
    if (jobConfig.hasPath("delete")) {
      jobConfig.getStringList("delete").asScala.foreach(namedObjects.forget)
    }
    // Sleep just a bit to let other jobs in, as the original did.
    Thread.sleep(1)
    namedObjects.getNames().toArray.sorted
  }

  private def flag(config: Config, path: String): Boolean = config.hasPath(path) && config.getBoolean(path)

  private def rows(sc: SparkContext): RDD[Row] = sc.parallelize(Seq(Row(1, true), Row(2, false), Row(55, true)))
}
