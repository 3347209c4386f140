package spark.jobserver

import scala.collection.immutable.SortedMap
import scala.jdk.CollectionConverters._
import com.typesafe.config.{Config, ConfigException}
import org.apache.spark.SparkContext
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem, SparkJob => NewSparkJob}

/**
 * Shows what a job can see of its configuration; used to check that secrets never reach jobs. New API.
 *
 * Reads `paths` (required, a list of configuration paths; without it the job fails validation with
 * `One(SingleProblem(No paths param (a list of config paths)))`). Returns, sorted by key, for each path
 * the value in the job's configuration (`job.<path>`) and in its context's settings (`context.<path>`),
 * as text, or null when absent; plus `sparkUser`, the user Spark runs as.
 */
object ConfigEchoJob extends NewSparkJob {
  type JobData = SortedMap[String, String]
  type JobOutput = SortedMap[String, String]

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    try {
      val paths = config.getStringList("paths").asScala.toSeq
      Good(SortedMap.from(paths.flatMap(path =>
        Seq(s"job.$path" -> valueAt(config, path), s"context.$path" -> valueAt(runtime.contextConfig, path)))))
    } catch {
      case _: ConfigException.Missing | _: ConfigException.WrongType =>
        Bad(One(SingleProblem("No paths param (a list of config paths)")))
    }

  override def runJob(sc: SparkContext, runtime: JobEnvironment, seen: JobData): JobOutput =
    seen + ("sparkUser" -> sc.sparkUser)

  /** The value at `path` as text; null when there is none (or the path is not a valid one). */
  private def valueAt(config: Config, path: String): String =
    try {
      if (config != null && config.hasPath(path)) config.getValue(path).unwrapped().toString else null
    } catch {
      case _: ConfigException => null
    }
}
