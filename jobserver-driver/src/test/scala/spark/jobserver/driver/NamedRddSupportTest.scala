package spark.jobserver.driver

import java.net.URI
import java.net.http.HttpClient
import java.nio.file.Path
import java.time.Duration
import java.util.concurrent.{CountDownLatch, Executors, TimeUnit, TimeoutException}

import scala.concurrent.duration._

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.{SparkConf, SparkContext}
import org.apache.spark.rdd.RDD
import org.apache.spark.storage.StorageLevel
import org.junit.jupiter.api.Assertions.{assertEquals, assertFalse, assertSame, assertThrows, assertTrue}
import org.junit.jupiter.api.{AfterAll, BeforeAll, BeforeEach, Test, TestInstance}
import org.junit.jupiter.api.io.TempDir
import spark.jobserver.{ContextLike, NamedObjectPersister, NamedRDD, NamedRddSupport, SparkJob, SparkJobValid, SparkJobValidation}
import spark.jobserver.common.NamedThreads
import spark.jobserver.context.DefaultSparkContextFactory
import spark.jobserver.driver.TestJobs.{Box, BoxPersister}

object NamedRddSupportTest {

  /** A legacy job with the original's named RDDs; the tests use its `namedRdds` as a job's code would. */
  class RddJob extends SparkJob with NamedRddSupport {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = ()
  }
}

/**
 * `NamedRddSupport` of the job API over the driver's named objects, with a real local Spark: what a
 * legacy job's `namedRdds` does to the RDDs it keeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamedRddSupportTest {
  import NamedRddSupportTest._

  @TempDir var dir: Path = _

  private var context: ContextLike = _
  private def sc: SparkContext = context.sparkContext
  private var objects: DriverNamedObjects = _

  implicit val timeout: FiniteDuration = 5.seconds

  @BeforeAll
  def startSpark(): Unit = {
    val conf = new SparkConf(false)
      .setMaster("local[1]")
      .setAppName("NamedRddSupportTest")
      .set("spark.ui.enabled", "false")
      .set("spark.driver.host", "127.0.0.1")
      .set("spark.driver.bindAddress", "127.0.0.1")
    context = new DefaultSparkContextFactory().makeContext(conf, ConfigFactory.empty(), "named-rdds")
  }

  @AfterAll
  def stopSpark(): Unit = if (context != null) context.stop()

  @BeforeEach
  def freshNamedObjects(): Unit = objects = new DriverNamedObjects(Duration.ofSeconds(5), java.time.Clock.systemUTC())

  /** A job as the driver hands it over: validated through the API's adapter, which gives it the named objects. */
  private def validatedJob(): RddJob = {
    val job = new RddJob
    val noServer = new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret")
    val env = new DriverJobEnvironment("job", objects, ConfigFactory.empty(), new DataFiles(dir, noServer))
    JobStyles.validate(job, context, env, ConfigFactory.empty())
    job
  }

  private def cachedNow(rdd: RDD[_]): Boolean =
    sc.getRDDStorageInfo.exists(i => i.id == rdd.id && i.numCachedPartitions > 0)

  /**
   * Whether the RDD's blocks are cached, as Spark's status store tells once its listener bus has delivered
   * the block updates: asynchronously, so a cached RDD is waited for (up to 10 s).
   */
  private def isCached(rdd: RDD[_]): Boolean = {
    val deadline = System.nanoTime() + 10.seconds.toNanos
    while (!cachedNow(rdd) && System.nanoTime() < deadline) Thread.sleep(10)
    cachedNow(rdd)
  }

  @Test
  def namedRddsAreUsableOnlyOnceTheJobIsValidated(): Unit = {
    val thrown = assertThrows(classOf[IllegalStateException], () => (new RddJob).namedRdds.getNames())
    assertTrue(thrown.getMessage.startsWith("namedRdds is usable once the job is validated"), thrown.getMessage)
    assertEquals(5.seconds, validatedJob().namedRdds.defaultTimeout)
  }

  @Test
  def getOrElseCreateMakesPersistsAndComputesOnceWithTheOriginalsDefaults(): Unit = {
    val rdd = validatedJob().namedRdds.getOrElseCreate("numbers", sc.parallelize(1 to 10))
    assertEquals("numbers", rdd.name)
    assertEquals(StorageLevel.MEMORY_ONLY, rdd.getStorageLevel)
    assertTrue(isCached(rdd), "computed when stored")

    // Another job of the context gets the same RDD and its generator never runs.
    var generated = false
    val again = validatedJob().namedRdds.getOrElseCreate("numbers", { generated = true; sc.parallelize(1 to 3) })
    assertSame(rdd, again)
    assertFalse(generated)
    assertEquals(55, again.reduce(_ + _))

    // Jobs using namedObjects see the same object, with the settings it was stored with.
    val stored = objects.get[NamedRDD[Int]]("numbers")
    assertEquals(Some(NamedRDD(rdd, forceComputation = true, StorageLevel.MEMORY_ONLY)), stored)
  }

  @Test
  def theCallerChoosesComputationAndStorageLevelAndAnRddKeepsItsOwn(): Unit = {
    val job = validatedJob()
    val lazyRdd = job.namedRdds.getOrElseCreate(
      "lazy",
      sc.parallelize(1 to 4),
      forceComputation = false,
      storageLevel = StorageLevel.MEMORY_AND_DISK)
    assertEquals(StorageLevel.MEMORY_AND_DISK, lazyRdd.getStorageLevel)
    assertFalse(cachedNow(lazyRdd))
    lazyRdd.count()
    assertTrue(isCached(lazyRdd))

    val own = job.namedRdds.getOrElseCreate("own", sc.parallelize(1 to 4).persist(StorageLevel.DISK_ONLY))
    assertEquals(StorageLevel.DISK_ONLY, own.getStorageLevel)
    assertTrue(isCached(own), "computed when stored")

    // Computing what is not kept makes no sense: refused, and the name stays free.
    assertThrows(
      classOf[IllegalArgumentException],
      () => job.namedRdds.getOrElseCreate("none", sc.parallelize(1 to 4), storageLevel = StorageLevel.NONE))
    assertEquals(Seq("lazy", "own"), job.namedRdds.getNames().toSeq)
  }

  @Test
  def getFindsRddsOnly(): Unit = {
    implicit val boxPersister: NamedObjectPersister[Box] = new BoxPersister
    val job = validatedJob()
    val rdd = job.namedRdds.getOrElseCreate("numbers", sc.parallelize(1 to 3))
    objects.getOrElseCreate("box", Box(1))

    assertSame(rdd, job.namedRdds.get[Int]("numbers").get)
    assertEquals(None, job.namedRdds.get[Int]("absent"))
    assertEquals(None, job.namedRdds.get[Int]("box"))
    // The names of every named object of the context, sorted.
    assertEquals(Seq("box", "numbers"), job.namedRdds.getNames().toSeq)
  }

  @Test
  def updateReplacesWithoutUnpersistingTheOldRdd(): Unit = {
    val job = validatedJob()
    val old = job.namedRdds.getOrElseCreate("numbers", sc.parallelize(1 to 3))
    val replacement = job.namedRdds.update("numbers", sc.parallelize(4 to 6))
    assertSame(replacement, job.namedRdds.get[Int]("numbers").get)
    assertEquals("numbers", replacement.name)
    assertTrue(isCached(replacement))
    assertEquals(StorageLevel.MEMORY_ONLY, old.getStorageLevel)
    assertTrue(isCached(old))
  }

  @Test
  def destroyUnpersistsAndForgets(): Unit = {
    implicit val boxPersister: BoxPersister = new BoxPersister
    val job = validatedJob()
    val rdd = job.namedRdds.getOrElseCreate("numbers", sc.parallelize(1 to 3))
    objects.getOrElseCreate("box", Box(1))

    job.namedRdds.destroy("numbers")
    assertEquals(StorageLevel.NONE, rdd.getStorageLevel)
    assertEquals(None, job.namedRdds.get[Int]("numbers"))
    assertEquals(Seq("box"), job.namedRdds.getNames().toSeq)

    job.namedRdds.destroy("absent")
    assertEquals(Seq("box"), job.namedRdds.getNames().toSeq)
    assertTrue(boxPersister.unpersisted.isEmpty)
  }

  @Test
  def aCallerWaitsForAnotherJobsCreationAsLongAsItsImplicitTimeout(): Unit = {
    val creating = new CountDownLatch(1)
    val release = new CountDownLatch(1)
    val pool = Executors.newSingleThreadExecutor(NamedThreads.daemon("named-rdds-test"))
    try {
      val first = validatedJob()
      val creator = pool.submit(() =>
        first.namedRdds.getOrElseCreate("slow", {
          creating.countDown()
          release.await(10, TimeUnit.SECONDS)
          sc.parallelize(1 to 3)
        }))
      assertTrue(creating.await(5, TimeUnit.SECONDS))

      val second = validatedJob()
      locally {
        implicit val timeout: FiniteDuration = 100.millis
        assertThrows(classOf[TimeoutException], () => second.namedRdds.getOrElseCreate("slow", sc.parallelize(1 to 9)))
      }
      release.countDown()
      val created = creator.get(10, TimeUnit.SECONDS)
      assertSame(created, second.namedRdds.getOrElseCreate("slow", sc.parallelize(1 to 9)))
    } finally {
      release.countDown()
      pool.shutdownNow()
    }
  }
}
