package spark.jobserver

import java.util.concurrent.ThreadLocalRandom
import scala.concurrent.duration._
import scala.util.{Failure, Success, Try}
import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem, SparkJob => NewSparkJob}

/**
 * Estimates Pi by throwing random darts at the unit square, in small Spark jobs one after the other,
 * until a given time has passed: a job that stays RUNNING for a while (status and kill tests). New API.
 *
 * Reads `stress.test.longpijob.duration`: how long to run, in whole seconds (default 5); a negative or
 * non-numeric value fails validation. Returns the estimate, about 3.14, as a `Double`. At least one
 * batch always runs, so the result is a number even for a duration of 0.
 *
 * Stops promptly when killed: the Spark exception of the cancelled job group propagates, and the
 * thread's interrupt flag is checked between batches.
 */
object LongPiJob extends NewSparkJob {
  type JobData = FiniteDuration
  type JobOutput = Double

  private val DurationKey = "stress.test.longpijob.duration"
  private val DefaultDuration = 5.seconds
  private val Slices = 4
  private val Elements = 1000
  private val DartsPerElement = 100

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    if (!config.hasPath(DurationKey)) {
      Good(DefaultDuration)
    } else {
      Try(config.getInt(DurationKey)) match {
        case Success(seconds) if seconds >= 0 => Good(seconds.seconds)
        case Success(seconds)                 => Bad(One(SingleProblem(s"$DurationKey must not be negative, was $seconds")))
        case Failure(_)                       => Bad(One(SingleProblem(s"$DurationKey must be a whole number of seconds")))
      }
    }

  override def runJob(sc: SparkContext, runtime: JobEnvironment, duration: JobData): JobOutput = {
    val deadline = duration.fromNow
    val elements = sc.parallelize(0 until Elements, Slices)
    val dartsPerElement = DartsPerElement
    var hits = 0L
    var darts = 0L
    while (darts == 0 || deadline.hasTimeLeft()) {
      if (Thread.interrupted()) {
        throw new InterruptedException(s"LongPiJob ${runtime.jobId} interrupted")
      }
      hits += elements.map(_ => quarterCircleHits(dartsPerElement)).reduce(_ + _)
      darts += Elements.toLong * DartsPerElement
    }
    4.0 * hits / darts
  }

  /** How many of `darts` random points of the unit square fall inside the quarter circle. */
  private def quarterCircleHits(darts: Int): Long = {
    val random = ThreadLocalRandom.current()
    (1 to darts).count { _ =>
      val x = random.nextDouble()
      val y = random.nextDouble()
      x * x + y * y <= 1.0
    }.toLong
  }
}
