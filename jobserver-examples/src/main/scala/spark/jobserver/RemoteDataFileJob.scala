package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic._
import spark.jobserver.api.{DataFileCache, JobEnvironment, ValidationProblem, SparkJob => NewSparkJob}

/**
 * Returns the local path of a file uploaded with `POST /data/<prefix>`: the file itself when the driver
 * runs on the server's host, otherwise a copy fetched from the server. New API.
 *
 * Reads `testFile`, the server path `POST /data` answered. Without it the job ends in `ERROR` (it is
 * read when the job runs, not validated).
 */
object RemoteDataFileJob extends NewSparkJob {
  type JobData = Config
  type JobOutput = String

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    Good(config)

  override def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput =
    runtime.asInstanceOf[DataFileCache].getDataFile(data.getString("testFile")).getAbsolutePath
}
