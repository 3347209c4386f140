package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Always fails while running with a fatal error: it throws `OutOfMemoryError("this is a fatal error")`
 * without exhausting any memory, to show that the job ends in `ERROR` and that the server and the
 * context survive it. Legacy style; reads no configuration.
 */
class MyFatalErrorJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    throw new OutOfMemoryError("this is a fatal error")
}
