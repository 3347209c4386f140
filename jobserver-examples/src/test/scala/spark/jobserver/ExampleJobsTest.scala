package spark.jobserver

import scala.collection.concurrent.TrieMap
import scala.concurrent.duration._
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

  /** The context's named objects, for the legacy jobs (whose `validate` takes them from the environment). */
  private val contextObjects = new InMemoryNamedObjects

  private val runtime = new JobEnvironment {
    def jobId: String = "example-jobs-test"
    def namedObjects: NamedObjects = contextObjects
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
    assertThat(WordCountExample.namedObjects).isSameAs(contextObjects)

    val counts = WordCountExample.runJob(sc, runtime, config)
    assertThat(counts.toString).isEqualTo("TreeMap(and -> 1, cat -> 1, hat -> 1, the -> 2)")

    val refused = WordCountExample.validate(sc, runtime, ConfigFactory.parseString("input.string = [a, list]"))
    assertThat(refused.swap.get.toString).isEqualTo("One(SparkJobInvalid(No input.string config param))")
  }

  @Test
  def aNamedRddIsCreatedOnceAndFoundAgainByName(): Unit = {
    val first = new CacheRddByNameJob
    assertThat(first.validate(sc, runtime, ConfigFactory.empty).isGood).isTrue
    assertThat(first.runJob(sc, runtime, ConfigFactory.empty)).isEqualTo(55)
    val created = contextObjects.get[NamedRDD[Int]]("CacheRddByNameJob").get.rdd

    val second = new CacheRddByNameJob
    second.validate(sc, runtime, ConfigFactory.empty)
    assertThat(second.runJob(sc, runtime, ConfigFactory.empty)).isEqualTo(55)
    assertThat(contextObjects.get[NamedRDD[Int]]("CacheRddByNameJob").get.rdd).isSameAs(created)
    assertThat(created.getStorageLevel.useMemory).isTrue
  }

  @Test
  def namedObjectsOfEveryKindAreStoredWithTheirImplicitPersisters(): Unit = {
    def run(config: String): Seq[String] = {
      val job = new NamedObjectsTestJob
      val parsed = ConfigFactory.parseString(config)
      job.validate(sc, runtime, parsed)
      job.runJob(sc, runtime, parsed).asInstanceOf[Array[String]].toSeq.filterNot(_ == "CacheRddByNameJob")
    }
    assertThat(run("createDF = true, createRDD = true, createBroadcast = yes").mkString(","))
      .isEqualTo("broadcast1,df1,rdd1")
    assertThat(contextObjects.get[NamedDataFrame]("df1").get.df.storageLevel.useDisk).isTrue
    assertThat(run("delete = [df1]").mkString(",")).isEqualTo("broadcast1,rdd1")
  }
}

/**
 * The named objects of one context, in a map, for running jobs outside a job server: creation is
 * serialized, so the timeouts never come into play.
 */
private class InMemoryNamedObjects extends NamedObjects {
  private val objects = TrieMap.empty[String, NamedObject]

  override def defaultTimeout: FiniteDuration = 10.seconds

  override def getOrElseCreate[O <: NamedObject](name: String, objGen: => O)(
      implicit timeout: FiniteDuration,
      persister: NamedObjectPersister[O]): O = synchronized {
    objects.get(name) match {
      case Some(existing) => existing.asInstanceOf[O]
      case None           => store(name, objGen)
    }
  }

  override def get[O <: NamedObject](name: String)(implicit timeout: FiniteDuration): Option[O] =
    objects.get(name).map(_.asInstanceOf[O])

  override def update[O <: NamedObject](name: String, objGen: => O)(
      implicit timeout: FiniteDuration,
      persister: NamedObjectPersister[O]): O = synchronized {
    objects.remove(name)
    store(name, objGen)
  }

  override def forget(name: String): Unit = objects.remove(name)

  override def destroy[O <: NamedObject](objOfType: O, name: String)(implicit persister: NamedObjectPersister[O]): Unit = {
    forget(name)
    persister.unpersist(objOfType)
  }

  override def getNames(): Iterable[String] = objects.keys.toSeq

  private def store[O <: NamedObject](name: String, obj: O)(implicit persister: NamedObjectPersister[O]): O = {
    persister.persist(obj, name)
    objects(name) = obj
    obj
  }
}
