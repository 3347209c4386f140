package spark.jobserver

import scala.jdk.CollectionConverters._
import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Returns the sorted top-level keys of the configuration the job receives (the posted job configuration
 * over the server's), to show what a job can see: `["my","spark",...]`. Legacy style; reads no
 * particular key.
 */
class ConfigCheckerJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    jobConfig.root().keySet().asScala.toSeq.sorted
}
