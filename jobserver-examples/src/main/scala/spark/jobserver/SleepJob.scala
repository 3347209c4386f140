package spark.jobserver

import com.typesafe.config.{Config, ConfigException}
import org.apache.spark.SparkContext

/**
 * Sleeps, then returns how long it slept: a job that holds a slot for a known time (slot limits, kill
 * and timeout tests). Legacy style.
 *
 * Reads `sleep.time.millis` (required, milliseconds; without it the job fails validation with
 * `sleep.time.millis config param missing`, and a negative value is refused too). Returns the millis as
 * a `Long`. The sleep ends early, with an `InterruptedException`, when the job is killed.
 */
class SleepJob extends SparkJob {
  private val SleepKey = "sleep.time.millis"

  override def validate(sc: SparkContext, config: Config): SparkJobValidation =
    try {
      val millis = config.getLong(SleepKey)
      if (millis < 0) SparkJobInvalid(s"$SleepKey must not be negative, was $millis") else SparkJobValid
    } catch {
      case _: ConfigException.Missing | _: ConfigException.WrongType => SparkJobInvalid(s"$SleepKey config param missing")
    }

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    val millis = jobConfig.getLong(SleepKey)
    Thread.sleep(millis)
    millis
  }
}
