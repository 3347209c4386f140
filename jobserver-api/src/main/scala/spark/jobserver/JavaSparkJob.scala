package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.apache.spark.api.java.JavaSparkContext

/**
 * The legacy base class for Java jobs: override `runJob(JavaSparkContext, Config)` and, to refuse bad
 * input, `invalidate(JavaSparkContext, Config)`. New Java jobs implement `spark.jobserver.japi.JSparkJob`.
 */
class JavaSparkJob extends SparkJob {

  override def runJob(sc: SparkContext, jobConfig: Config): Any = runJob(new JavaSparkContext(sc), jobConfig)

  override def validate(sc: SparkContext, config: Config): SparkJobValidation =
    Option(invalidate(new JavaSparkContext(sc), config)).fold[SparkJobValidation](SparkJobValid)(SparkJobInvalid(_))

  /** Runs the job; the returned value is its result. */
  def runJob(jsc: JavaSparkContext, jobConfig: Config): Any = ()

  /** Checks the configuration: `null` when the job may run, otherwise the reason it may not. */
  def invalidate(jsc: JavaSparkContext, config: Config): String = null
}
