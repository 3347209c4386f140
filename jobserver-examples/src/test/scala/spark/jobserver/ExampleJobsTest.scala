package spark.jobserver

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.{SparkConf, SparkContext}
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.{AfterAll, BeforeAll, Test, TestInstance}
import org.scalactic.{Bad, Good, One}
import spark.jobserver.api.{JobEnvironment, SingleProblem}

/**
 * Runs example jobs as the original's `main` methods do: `validate`, then `runJob`, on a real local
 * SparkContext with an anonymous [[JobEnvironment]]. One SparkContext for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExampleJobsTest {
  private var sc: SparkContext = _

  // No job server, so no named objects: the jobs run here do not use them. (The named-object jobs run
  // with the driver's named objects in NamedObjectsIT and OriginalStyleJobsIT.)
  private val runtime = new JobEnvironment {
    def jobId: String = "example-jobs-test"
    def namedObjects: NamedObjects = null
    def contextConfig: Config = ConfigFactory.parseString("context.name = test, is-adhoc = false")
  }

  @BeforeAll
  def startSpark(): Unit = {
    sc = new SparkContext(
      new SparkConf(false)
        .setMaster("local[1]")
        .setAppName("ExampleJobsTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"))
  }

  @AfterAll
  def stopSpark(): Unit = sc.stop()

  private def sentence(words: String): Config = ConfigFactory.parseString(s"""input.string = "$words"""")

  @Test
  def theNewApiWordCountValidatesIntoWordsAndCountsThem(): Unit = {
    val words = WordCountExampleNewApi.validate(sc, runtime, sentence("a b c a b see")) match {
      case Good(words) => words
      case Bad(problems) => throw new AssertionError(s"refused: $problems")
    }
    assertThat(words.toArray[AnyRef]).containsExactly("a", "b", "c", "a", "b", "see")

    val counts = WordCountExampleNewApi.runJob(sc, runtime, words)
    assertThat(counts.toSeq.toString).isEqualTo("List((a,2), (b,2), (c,1), (see,1))")
  }

  @Test
  def theNewApiWordCountRefusesAMissingSentence(): Unit = {
    val refused = WordCountExampleNewApi.validate(sc, runtime, ConfigFactory.empty)
    assertThat(refused).isEqualTo(Bad(One(SingleProblem("No input.string param"))))
    // The server shows clients the problems as text.
    assertThat(refused.swap.get.toString).isEqualTo("One(SingleProblem(No input.string param))")
  }

  @Test
  def theLegacyWordCountRunsThroughTheNewApiAdapter(): Unit = {
    val config = sentence("the cat and the hat")
    assertThat(WordCountExample.validate(sc, runtime, config)).isEqualTo(Good(config))

    val counts = WordCountExample.runJob(sc, runtime, config)
    assertThat(counts.toString).isEqualTo("TreeMap(and -> 1, cat -> 1, hat -> 1, the -> 2)")

    val refused = WordCountExample.validate(sc, runtime, ConfigFactory.parseString("input.string = [a, list]"))
    assertThat(refused.swap.get.toString).isEqualTo("One(SparkJobInvalid(No input.string config param))")
  }
}
