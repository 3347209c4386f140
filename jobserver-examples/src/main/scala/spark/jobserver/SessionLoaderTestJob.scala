package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.sql.SparkSession
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, ValidationProblem}

/**
 * Creates the table `test_addresses` with three addresses, reads it back and returns its row count, `3`.
 * Later jobs of the same context can query the table (with [[SessionTestJob]], for example). Session
 * style; needs a context made by `spark.jobserver.context.SessionContextFactory`; reads no configuration.
 *
 * The original made a Hive text table loaded from a file. This one is a Parquet data-source table, so it
 * works whether the session has Hive support or, as with the bundled driver runtime, the in-memory
 * catalog; the table's files go to the context's `spark-warehouse` directory.
 */
object SessionLoaderTestJob extends SparkSessionJob {
  type JobData = Config
  type JobOutput = Long

  override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    Good(config)

  override def runJob(spark: SparkSession, runtime: JobEnvironment, config: JobData): JobOutput =
    AddressTable.load(spark)
}
