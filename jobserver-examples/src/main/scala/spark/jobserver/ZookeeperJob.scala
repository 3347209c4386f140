package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/** An animal of [[ZookeeperJob]]'s zoo: a case class, so a result holding one shows it as `[name]`. */
case class Animal(name: String)

/**
 * Filters animals on the cluster and returns those whose name starts with `ho`: `[["horse"]]`, each
 * [[Animal]] rendered as the array of its fields. Legacy style; reads no configuration.
 */
class ZookeeperJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    sc.parallelize(Seq(Animal("dog"), Animal("cat"), Animal("horse")))
      .filter(_.name.startsWith("ho"))
      .collect()
}
