package spark.jobserver.context

import com.typesafe.config.Config
import org.apache.hadoop.conf.Configuration
import org.apache.spark.{SparkConf, SparkContext}
import org.slf4j.{Logger, LoggerFactory}
import spark.jobserver.{api, ContextLike, SparkJob}
import spark.jobserver.japi.{BaseJavaJob, JSparkJob}
import spark.jobserver.util.SparkJobUtils

/**
 * Makes the Spark context of a job server context; chosen by the context setting `context-factory`.
 * A factory of one's own is a public class with a no-argument constructor that extends
 * [[ScalaContextFactory]] (for Scala jobs) or [[JavaContextFactory]] (for `spark.jobserver.japi` jobs),
 * or both.
 */
trait SparkContextFactory {

  /** The context this factory makes. */
  type C <: ContextLike

  /**
   * Creates the context.
   *
   * @param sparkConf the Spark configuration the server derived from the context's settings
   * @param config the context's effective settings
   * @param contextName the context's name
   */
  def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C
}

/** A factory whose contexts run jobs of the Scala API ([[spark.jobserver.api.SparkJobBase]] and its styles). */
trait ScalaContextFactory extends SparkContextFactory {

  /**
   * A logger named after the factory, as the original's factories had (a method here, so that factories
   * written in Java need not implement it).
   */
  def logger: Logger = LoggerFactory.getLogger(getClass)

  /**
   * Whether contexts of this factory can run `job`; the server answers `400 Invalid job type for this
   * context` when they cannot. At the least, the job must take a context of this factory's type.
   */
  def isValidJob(job: api.SparkJobBase): Boolean
}

/** A factory whose contexts run jobs of the Java API ([[spark.jobserver.japi.BaseJavaJob]]). */
trait JavaContextFactory extends SparkContextFactory {

  /** Whether contexts of this factory can run `job` (see [[ScalaContextFactory.isValidJob]]). */
  def isValidJob(job: BaseJavaJob[_, _]): Boolean
}

/**
 * The default factory: a plain `SparkContext`, with the context setting `hadoop { k = v }` copied
 * into its Hadoop configuration. Runs legacy ([[spark.jobserver.SparkJob]], `JavaSparkJob`) and
 * new-API ([[spark.jobserver.api.SparkJob]]) jobs, and also Java [[spark.jobserver.japi.JSparkJob]]s,
 * which receive a `JavaSparkContext` over it.
 */
class DefaultSparkContextFactory extends ScalaContextFactory with JavaContextFactory {

  type C = SparkContext with ContextLike

  override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C = {
    val sc = new SparkContext(sparkConf) with ContextLike {
      override def sparkContext: SparkContext = this
    }
    HadoopSettings.applyOrStop(config, sc.hadoopConfiguration, () => sc.stop())
    sc
  }

  override def isValidJob(job: api.SparkJobBase): Boolean =
    job.isInstanceOf[SparkJob] || job.isInstanceOf[api.SparkJob]

  override def isValidJob(job: BaseJavaJob[_, _]): Boolean = job.isInstanceOf[JSparkJob[_]]
}

/**
 * The original project's factory for Java jobs: the same context and jobs as
 * [[DefaultSparkContextFactory]]; [[spark.jobserver.japi.JSparkJob]]s receive a `JavaSparkContext` over it.
 */
class JavaSparkContextFactory extends DefaultSparkContextFactory

/** The context setting `hadoop { k = v }`: Hadoop settings of the context. */
object HadoopSettings {

  /**
   * Copies the context setting `hadoop` (an object of Hadoop keys) into `hadoop`; when that fails,
   * calls `stop` (nobody else would stop a context its factory did not return) and rethrows.
   *
   * @throws IllegalArgumentException when `hadoop` is set but is not an object
   */
  def applyOrStop(config: Config, hadoop: Configuration, stop: () => Unit): Unit =
    try copy(config, hadoop)
    catch {
      case e: RuntimeException =>
        stop()
        throw e
    }

  /**
   * Copies the context setting `hadoop` into `hadoop`.
   *
   * @throws IllegalArgumentException when `hadoop` is set but is not an object
   */
  def copy(config: Config, hadoop: Configuration): Unit =
    for ((key, value) <- SparkJobUtils.getHadoopConfig(config)) hadoop.set(key, value)
}
