package spark.jobserver.api

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic.{Every, Or}

/**
 * What the server tells a running job about where it runs. Implementations handed to jobs by the
 * server also implement [[DataFileCache]], for files uploaded with `POST /data`.
 *
 * Jobs (and tests of jobs) may implement it themselves, for example anonymously in a `main` that runs
 * a job against a local Spark: it has exactly three abstract members.
 */
trait JobEnvironment {

  /** The id clients use to address this job (`GET /jobs/<jobId>`). */
  def jobId: String

  /** The named objects of this job's context, shared with every other job of the same context. */
  def namedObjects: spark.jobserver.NamedObjects

  /** The effective configuration of the context the job runs in, with `context.name` and `is-adhoc`. */
  def contextConfig: Config
}

/**
 * Access to files uploaded with `POST /data`. The [[JobEnvironment]] the server hands to a job
 * implements it: `runtime.asInstanceOf[DataFileCache].getDataFile(path)`.
 */
trait DataFileCache {

  /**
   * A local file with the content of the uploaded file `dataFile` (the path `POST /data/<prefix>`
   * answered): the file itself when the driver runs on the server's host, otherwise a local copy
   * fetched from the server.
   */
  @throws[java.io.IOException]("when the file cannot be had")
  def getDataFile(dataFile: String): java.io.File
}

/**
 * One reason why a job's input is not acceptable. Its `toString` is what the client reads in the
 * `VALIDATION FAILED` answer, inside `One(...)` or `Many(...)`.
 */
trait ValidationProblem

/** The stock [[ValidationProblem]]: a sentence saying what is wrong. */
case class SingleProblem(problem: String) extends ValidationProblem

/**
 * The job style of the original project's "new API". `validate` turns the posted configuration into
 * the job's input, or says why it cannot; `runJob` computes the result. The job declares what it
 * receives as context (`C`), its input (`JobData`) and its result (`JobOutput`).
 *
 * A job is a Scala `object` (one instance for every run) or a class with a public no-argument
 * constructor (a new instance for every run).
 */
trait SparkJobBase {

  /** What the context hands to the job: a `SparkContext`, a `SparkSession`, a `StreamingContext`... */
  type C

  /** The job's validated input, made by `validate`. */
  type JobData

  /** The job's result, rendered as JSON for the client (see the job API guide for the rules). */
  type JobOutput

  /**
   * Runs the job.
   *
   * @param sc the context
   * @param runtime where the job runs: its id, the context's named objects and configuration
   * @param data what `validate` returned in its `Good`
   */
  def runJob(sc: C, runtime: JobEnvironment, data: JobData): JobOutput

  /**
   * Checks the input before anything runs, and should be fast: the server waits for it before it
   * answers an asynchronous job request.
   *
   * @param config the posted job configuration, with the server's configuration (minus secrets) as fallback
   * @return `Good(data)` with the input for `runJob`, or `Bad(One(problem))` / `Bad(Many(a, b))`:
   *         the server then answers `400 VALIDATION FAILED` and does not run the job
   */
  def validate(sc: C, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem]
}

/** A job on a `SparkContext`, run by contexts of the default context factory. */
trait SparkJob extends SparkJobBase {
  type C = SparkContext
}

/** A [[SparkJob]] whose input is the job configuration itself and whose result is anything. */
trait OldSparkJob extends SparkJob {
  type JobData = Config
  type JobOutput = Any
}
