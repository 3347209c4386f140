package spark.jobserver

import scala.collection.immutable.SortedMap
import scala.util.{Failure, Success, Try}
import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.{SparkConf, SparkContext}
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem, SparkJob => NewSparkJob}

/**
 * [[WordCountExample]] in the new API: `validate` turns `input.string` into the words, `runJob` counts
 * them with Spark and returns a typed result.
 *
 * Reads `input.string` (required), the words separated by single spaces. Without it the job fails
 * validation with `One(SingleProblem(No input.string param))`.
 *
 * Returns a word → count map sorted by word: `{"a":2,"b":2,"c":1,"see":1}` for `"a b c a b see"`.
 *
 * `main` runs the job without a job server, on a local Spark, for a sentence given on the command line.
 */
object WordCountExampleNewApi extends NewSparkJob {
  type JobData = Seq[String]
  type JobOutput = collection.Map[String, Long]

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    Try(config.getString("input.string")) match {
      case Success(sentence) => Good(sentence.split(" ").toSeq)
      case Failure(_)        => Bad(One(SingleProblem("No input.string param")))
    }

  override def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput =
    SortedMap.from(sc.parallelize(data).countByValue())

  def main(args: Array[String]): Unit = {
    val sentence = if (args.isEmpty) "a b c a b see" else args.mkString(" ")
    val sc = new SparkContext(new SparkConf().setMaster("local[4]").setAppName("WordCountExampleNewApi"))
    try {
      val runtime = new JobEnvironment {
        def jobId: String = "word-count-main"
        def namedObjects: NamedObjects = throw new UnsupportedOperationException("no named objects outside a job server")
        def contextConfig: Config = ConfigFactory.empty
      }
      val config = ConfigFactory.parseMap(java.util.Map.of("input.string", sentence))
      validate(sc, runtime, config) match {
        case Good(words)   => println(s"Result is ${runJob(sc, runtime, words)}")
        case Bad(problems) => println(s"Invalid input: $problems")
      }
    } finally {
      sc.stop()
    }
  }
}
