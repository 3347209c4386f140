package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Loads the class `EmptyClass` three times through the job's own class loader and counts the names on
 * the cluster: `{"EmptyClass":3}`. `EmptyClass` is not in this jar: give the jar that holds it in
 * `dependent-jar-uris` (of the job or of its context), otherwise the job ends in `ERROR` with a
 * `ClassNotFoundException`. Legacy style; reads no configuration. The lower-case name is the original's.
 */
class jobJarDependenciesJob extends SparkJob {

  override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    val loaded = Seq.fill(3)(getClass.getClassLoader.loadClass("EmptyClass").getName)
    sc.parallelize(loaded).countByValue()
  }
}
