package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Always fails while running, with `IllegalArgumentException("Foobar")`, so the job ends in `ERROR`.
 * Legacy style; reads no configuration.
 */
class MyErrorJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    throw new IllegalArgumentException("Foobar")
}
