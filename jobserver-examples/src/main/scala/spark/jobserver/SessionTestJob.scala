package spark.jobserver

import com.typesafe.config.Config
import org.apache.spark.sql.{Row, SparkSession}
import org.scalactic._
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem}

/**
 * Runs the SQL statement `sql` on the context's `SparkSession` and returns the rows, each shown as its
 * `Row.toString`: `sql = "select 40 + 2 as answer"` gives `["[42]"]`. Without `sql` the job fails
 * validation with `One(SingleProblem(No sql param))`. Session style; needs a context made by
 * `spark.jobserver.context.SessionContextFactory`.
 */
object SessionTestJob extends SparkSessionJob {
  type JobData = String
  type JobOutput = Array[Row]

  override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    if (config.hasPath("sql")) Good(config.getString("sql")) else Bad(One(SingleProblem("No sql param")))

  override def runJob(spark: SparkSession, runtime: JobEnvironment, sql: JobData): JobOutput =
    spark.sql(sql).collect()
}
