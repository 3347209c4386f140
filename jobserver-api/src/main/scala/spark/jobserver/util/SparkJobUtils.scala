package spark.jobserver.util

import scala.jdk.CollectionConverters._
import com.typesafe.config.{Config, ConfigException, ConfigUtil}

/** Helpers of the original's API that context factories use. */
object SparkJobUtils {

  /**
   * The context setting `hadoop { k = v }` as Hadoop keys and values, for a factory to copy into its
   * context's Hadoop configuration; empty when the setting is absent.
   *
   * @throws IllegalArgumentException when `hadoop` is set but is not an object
   */
  def getHadoopConfig(config: Config): Map[String, String] =
    if (!config.hasPath("hadoop")) Map.empty
    else {
      val settings =
        try config.getConfig("hadoop")
        catch {
          case e: ConfigException.WrongType =>
            throw new IllegalArgumentException("context setting 'hadoop' must be an object of Hadoop settings", e)
        }
      // entrySet keys are HOCON paths: "a.b" for nested keys, "\"a.b\"" for quoted ones; Hadoop wants a.b.
      settings.entrySet().asScala.iterator.map { e =>
        ConfigUtil.splitPath(e.getKey).asScala.mkString(".") -> String.valueOf(e.getValue.unwrapped())
      }.toMap
    }
}
