package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Does nothing and returns `1`: measures the job server's own overhead per job. Legacy style; reads no
 * configuration.
 */
object NoOpJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = 1
}
