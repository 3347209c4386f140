package ${package}

import scala.collection.immutable.SortedMap
import scala.util.{Failure, Success, Try}

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, SingleProblem, SparkJob, ValidationProblem}

/**
 * Counts the words of `input.string` (required; words separated by spaces) with Spark.
 *
 * A job in the Scala API: `validate` checks the configuration and turns it into the job's input, or into
 * the problems the client sees with a 400; `runJob` does the work, and the server renders what it returns
 * as JSON: `{"a":2,"b":2,"c":1,"see":1}` for `input.string = "a b c a b see"`.
 *
 * An `object`: the server uses this one instance for every run, so it keeps no state of a run.
 */
object WordCountJob extends SparkJob {
  type JobData = Seq[String]
  type JobOutput = collection.Map[String, Long]

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    Try(config.getString("input.string")) match {
      case Success(sentence) => Good(sentence.split(" ").toSeq.filter(_.nonEmpty))
      case Failure(_)        => Bad(One(SingleProblem("No input.string param")))
    }

  override def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput =
    SortedMap.from(sc.parallelize(data).countByValue())
}
