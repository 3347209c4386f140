package spark.jobserver.context

import scala.util.control.NonFatal
import com.typesafe.config.Config
import org.apache.spark.{SparkConf, SparkContext}
import org.apache.spark.sql.SparkSession
import org.slf4j.LoggerFactory
import spark.jobserver.{api, ContextLike, SparkSessionJob}
import spark.jobserver.japi.{BaseJavaJob, JSessionJob}

/**
 * A context that holds a `SparkSession`; jobs receive the session. Stopping it stops the session's
 * active structured-streaming queries first, then the session.
 */
case class SparkSessionContextLikeWrapper(spark: SparkSession) extends ContextLike {

  override def sparkContext: SparkContext = spark.sparkContext

  override def stop(): Unit = {
    for (query <- spark.streams.active) {
      try query.stop()
      catch {
        case NonFatal(e) => SessionContextFactory.log.warn(s"Stopping streaming query ${query.id} failed", e)
      }
    }
    spark.stop()
  }
}

/**
 * Makes a `SparkSession` and runs [[spark.jobserver.SparkSessionJob]]s in it.
 *
 * Hive: with `spark.session.hive.enabled` (default `true`) the session gets Hive support when the Hive
 * classes are on the driver's class path; when they are not, the context starts with a plain session
 * (in-memory catalog) and a warning in the driver log, as in the original. Hive is required only when
 * the context's settings say `spark.sql.catalogImplementation = hive` (Spark's own key); then missing
 * Hive classes fail the context with a clear message. `hadoop { k = v }` goes into the session's
 * Hadoop configuration.
 */
class SessionContextFactory extends ScalaContextFactory {
  import SessionContextFactory._

  type C = SparkSessionContextLikeWrapper

  override def isValidJob(job: api.SparkJobBase): Boolean = job.isInstanceOf[SparkSessionJob]

  override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C =
    makeSession(sparkConf, config, contextName)
}

/** The session factory for Java jobs: the same session as [[SessionContextFactory]], for [[spark.jobserver.japi.JSessionJob]]s. */
class JavaSessionContextFactory extends JavaContextFactory {

  type C = SparkSessionContextLikeWrapper

  override def isValidJob(job: BaseJavaJob[_, _]): Boolean = job.isInstanceOf[JSessionJob[_]]

  override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C =
    SessionContextFactory.makeSession(sparkConf, config, contextName)
}

object SessionContextFactory {
  private[context] val log = LoggerFactory.getLogger(classOf[SessionContextFactory])

  val HiveEnabled = "spark.session.hive.enabled"
  val CatalogImplementation = "spark.sql.catalogImplementation"

  /** The classes Spark itself checks before it enables Hive support. */
  private val HiveClasses = Seq("org.apache.spark.sql.hive.HiveSessionStateBuilder", "org.apache.hadoop.hive.conf.HiveConf")

  /** How the session is built, decided from the settings and the class path. */
  sealed trait Hive
  /** Hive support on. */
  case object Enabled extends Hive
  /** Hive wanted by default but absent: a plain session and a warning. */
  case object Fallback extends Hive
  /** Hive not wanted. */
  case object Off extends Hive

  private[context] def makeSession(sparkConf: SparkConf, config: Config, contextName: String): SparkSessionContextLikeWrapper = {
    val builder = SparkSession.builder().config(sparkConf)
    hive(config, sparkConf, hiveClassesPresent) match {
      case Enabled => builder.enableHiveSupport()
      case Fallback =>
        log.warn(s"Hive support not enabled for context '$contextName': the Hive classes are not on the driver's" +
          " class path; using a plain SparkSession with an in-memory catalog")
      case Off => log.info(s"Context '$contextName' runs without Hive support ($HiveEnabled = false)")
    }
    val context = SparkSessionContextLikeWrapper(builder.getOrCreate())
    HadoopSettings.applyOrStop(config, context.sparkContext.hadoopConfiguration, () => context.stop())
    context
  }

  /**
   * How to build the session.
   *
   * @throws IllegalStateException when the settings require Hive (`spark.sql.catalogImplementation = hive`)
   *         and its classes are absent
   */
  def hive(config: Config, sparkConf: SparkConf, classesPresent: Boolean): Hive = {
    val required = "hive".equalsIgnoreCase(setting(config, sparkConf, CatalogImplementation, ""))
    if (required && !classesPresent) {
      throw new IllegalStateException(s"Hive support was requested ($CatalogImplementation = hive) but the Hive" +
        " classes are not on the driver's class path: add spark-hive and its dependencies to the driver, or remove " +
        s"$CatalogImplementation from the context's settings")
    }
    val wanted = setting(config, sparkConf, HiveEnabled, "true").toBoolean
    if (!wanted && !required) Off else if (classesPresent) Enabled else Fallback
  }

  /** A setting from the context's settings, else from the Spark configuration (where SparkSubmit puts spark.*). */
  private def setting(config: Config, sparkConf: SparkConf, key: String, whenAbsent: String): String =
    // The keys contain dots: as HOCON paths they are nested objects, which hasPath reads alike.
    if (config.hasPath(key)) String.valueOf(config.getValue(key).unwrapped()) else sparkConf.get(key, whenAbsent)

  def hiveClassesPresent: Boolean = {
    val loader = Option(Thread.currentThread().getContextClassLoader).getOrElse(getClass.getClassLoader)
    HiveClasses.forall { name =>
      try {
        Class.forName(name, false, loader)
        true
      } catch {
        case _: ClassNotFoundException | _: LinkageError => false
      }
    }
  }
}
