package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.apache.spark.storage.StorageLevel

/**
 * Caches the RDD `numbers` (2, 4, 9, 16, 25, 36, 55, 66, each doubled) in the context with Spark's own
 * `cache()` and returns its sum, `426`. [[AccessCacheJob]], run later in the same context, finds it among
 * the context's persisted RDDs. Legacy style; reads no configuration.
 *
 * Spark holds persisted RDDs only weakly: once nothing refers to one, a garbage collection on the driver
 * unpersists it. So the job also keeps `numbers` as a named object, which holds it until it is forgotten
 * or the context stops.
 */
class CacheSomethingJob extends SparkJob with NamedObjectSupport {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    implicit val numbersPersister: NamedObjectPersister[NamedRDD[Int]] = new RDDPersister[Int]
    val numbers = sc.parallelize(Seq(2, 4, 9, 16, 25, 36, 55, 66)).map(_ * 2)
    numbers.setName("numbers")
    numbers.cache()
    namedObjects.update("numbers", NamedRDD(numbers, forceComputation = false, StorageLevel.MEMORY_ONLY))
    numbers.reduce(_ + _)
  }
}
