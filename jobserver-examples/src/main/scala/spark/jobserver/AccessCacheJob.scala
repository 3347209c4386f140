package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.{SparkContext, SparkException}
import org.apache.spark.rdd.RDD

/**
 * Sums a persisted RDD of the context: the one named `numbers` that [[CacheSomethingJob]] cached (`426`),
 * else the first one persisted, as the original did. Fails when nothing is persisted. Legacy style;
 * reads no configuration.
 */
class AccessCacheJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    // The original took whichever persisted RDD came first; other jobs of the context may persist RDDs
    // too, so prefer the one by name, then the oldest.
    val cached = sc.getPersistentRDDs.values
      .minByOption(rdd => (rdd.name != "numbers", rdd.id))
      .getOrElse(throw new SparkException("no persisted RDD in this context; run CacheSomethingJob first"))
    cached.asInstanceOf[RDD[Int]].reduce(_ + _)
  }
}
