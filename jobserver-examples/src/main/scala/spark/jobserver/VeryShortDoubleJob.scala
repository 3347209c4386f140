package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Doubles 1, 2 and 3 with Spark and returns `[2,4,6]` (an `Array[Int]`): a quick job that checks that a
 * context runs work at all. Legacy style; reads no configuration.
 */
object VeryShortDoubleJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    sc.parallelize(Seq(1, 2, 3)).map(_ * 2).collect()
}
