package spark.jobserver

import scala.collection.immutable.SortedMap
import scala.util.{Failure, Success, Try}
import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Counts the words of a sentence with Spark: the job of the README walk-through, in the legacy style.
 *
 * Reads `input.string` (required), the words separated by single spaces. Without it the job fails
 * validation with `One(SparkJobInvalid(No input.string config param))`.
 *
 * Returns a word → count map sorted by word: `{"a":2,"b":2,"c":1,"see":1}` for `"a b c a b see"`.
 */
object WordCountExample extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation =
    Try(config.getString("input.string")) match {
      case Success(_) => SparkJobValid
      case Failure(_) => SparkJobInvalid("No input.string config param")
    }

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    val words = jobConfig.getString("input.string").split(" ").toSeq
    // Sorted, so that clients (and tests) see the words in the same order on every run.
    SortedMap.from(sc.parallelize(words).countByValue())
  }
}
