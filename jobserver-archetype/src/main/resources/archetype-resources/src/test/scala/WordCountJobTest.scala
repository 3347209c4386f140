package ${package}

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.sql.SparkSession
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.{AfterAll, BeforeAll, Test, TestInstance}
import org.scalactic.{Bad, Good, One}
import spark.jobserver.NamedObjects
import spark.jobserver.api.{JobEnvironment, SingleProblem}

/**
 * Runs [[WordCountJob]] as the server would, `validate` and then `runJob`, on a local Spark without a
 * server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WordCountJobTest {
  private var spark: SparkSession = _

  // What the server gives a job; this job uses none of it.
  private val runtime = new JobEnvironment {
    def jobId: String = "word-count-test"
    def namedObjects: NamedObjects = null
    def contextConfig: Config = ConfigFactory.empty
  }

  @BeforeAll
  def startSpark(): Unit =
    spark = SparkSession.builder()
      .master("local[1]")
      .appName("WordCountJobTest")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .getOrCreate()

  @AfterAll
  def stopSpark(): Unit = spark.stop()

  @Test
  def countsTheWords(): Unit = {
    val config = ConfigFactory.parseString("input.string = \"a b c a b see\"")
    val words = WordCountJob.validate(spark.sparkContext, runtime, config) match {
      case Good(words)   => words
      case Bad(problems) => throw new AssertionError("refused: " + problems)
    }
    val counts = WordCountJob.runJob(spark.sparkContext, runtime, words)
    assertEquals(List("a" -> 2L, "b" -> 2L, "c" -> 1L, "see" -> 1L), counts.toList)
  }

  @Test
  def refusesAMissingSentence(): Unit =
    assertEquals(
      Bad(One(SingleProblem("No input.string param"))),
      WordCountJob.validate(spark.sparkContext, runtime, ConfigFactory.empty))
}
