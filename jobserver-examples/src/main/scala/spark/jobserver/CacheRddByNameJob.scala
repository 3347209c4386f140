package spark.jobserver

import scala.concurrent.duration._
import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Keeps the RDD 1..5 under the name `CacheRddByNameJob` (its class's simple name) with the original's
 * named-RDD defaults (computed at once, `MEMORY_ONLY`), finds it again by name and returns the sum of
 * its squares, `55`. The first run in a context creates the RDD; later runs reuse it; jobs asking for it
 * while it is being created wait for it. Legacy style with [[NamedRddSupport]]; reads no configuration.
 */
class CacheRddByNameJob extends SparkJob with NamedRddSupport {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    // How long to wait for another job of the context that is creating the RDD: the server's default.
    implicit val timeout: FiniteDuration = 60.seconds
    val name = getClass.getSimpleName
    val rdd = namedRdds.getOrElseCreate(name, sc.parallelize(1 to 5))
    // The RDD is in the context now: found by name, it is the same object.
    val again = namedRdds.get[Int](name)
    if (!again.contains(rdd)) {
      throw new IllegalStateException(s"Error: $again != Some($rdd)")
    }
    rdd.map(x => x * x).reduce(_ + _)
  }
}
