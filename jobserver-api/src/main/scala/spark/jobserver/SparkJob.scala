package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic.{Bad, Every, Good, One, Or}
import spark.jobserver.api.{JobEnvironment, ValidationProblem}

/** The outcome of a legacy job's `validate`: [[SparkJobValid]] or [[SparkJobInvalid]]. */
sealed trait SparkJobValidation {

  /** This validation if it is invalid, else `other`: the first invalid of the two. */
  def &&(other: SparkJobValidation): SparkJobValidation = this match {
    case SparkJobValid => other
    case invalid       => invalid
  }
}

/** The job's input is acceptable. */
case object SparkJobValid extends SparkJobValidation

/**
 * The job's input is not acceptable: the server answers `400 VALIDATION FAILED` with
 * `One(SparkJobInvalid(reason))`.
 */
case class SparkJobInvalid(reason: String) extends SparkJobValidation with ValidationProblem

/**
 * The legacy job style, adapted to [[spark.jobserver.api.SparkJobBase]]: `validate(sc, config)`
 * accepts or rejects the job configuration and `runJob(sc, jobConfig)` gets the context and the
 * configuration. `namedObjects` holds the context's named objects from `validate` on.
 */
trait SparkJobBase extends api.SparkJobBase {
  type JobData = Config
  type JobOutput = Any

  /** The named objects of the job's context; set by the server before `validate`. */
  var namedObjects: NamedObjects = null

  override def runJob(sc: C, runtime: JobEnvironment, data: JobData): JobOutput = runJob(sc, data)

  override def validate(sc: C, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] = {
    namedObjects = runtime.namedObjects
    validate(sc, config) match {
      case SparkJobValid            => Good(config)
      case invalid: SparkJobInvalid => Bad(One(invalid))
      case null                     => throw new IllegalStateException(s"${getClass.getName}.validate returned null")
    }
  }

  /**
   * Runs the job.
   *
   * @param jobConfig the posted job configuration, with the server's configuration (minus secrets) as fallback
   * @return the result, rendered as JSON for the client
   */
  def runJob(sc: C, jobConfig: Config): Any

  /** Checks the job's configuration before it runs; should be fast. */
  def validate(sc: C, config: Config): SparkJobValidation
}

/** A legacy job on a `SparkContext`, run by contexts of the default context factory. */
trait SparkJob extends SparkJobBase {
  type C = SparkContext
}
