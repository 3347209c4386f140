package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Sums 1, 2 and 3 with Spark and returns `6`: a job that is a Scala `object`, one instance for every run.
 * Legacy style; reads no configuration.
 */
object SimpleObjectJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    sc.parallelize(1 to 3).reduce(_ + _)
}
