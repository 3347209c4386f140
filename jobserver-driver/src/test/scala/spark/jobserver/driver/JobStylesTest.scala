package spark.jobserver.driver

import java.net.URI
import java.net.http.HttpClient
import java.nio.file.Path
import java.time.Duration

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.{SparkConf, SparkContext}
import org.apache.spark.api.java.JavaSparkContext
import org.apache.spark.sql.SparkSession
import org.apache.spark.streaming.StreamingContext
import org.junit.jupiter.api.Assertions.{assertEquals, assertFalse, assertSame, assertThrows, assertTrue, fail}
import org.junit.jupiter.api.{AfterAll, BeforeAll, Test, TestInstance}
import org.junit.jupiter.api.io.TempDir
import org.scalactic.{Bad, Every, Good, Many, One, Or}
import spark.jobserver.{api, ContextLike, JavaSparkJob, NamedObjects, SparkJob, SparkJobInvalid, SparkJobValid, SparkJobValidation, SparkSessionJob, SparkStreamingJob}
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem}
import spark.jobserver.context.{DefaultSparkContextFactory, JavaSessionContextFactory, JavaSparkContextFactory, JavaStreamingContextFactory, SessionContextFactory, SparkContextFactory, StreamingContextFactory}
import spark.jobserver.japi.{JSessionJob, JSparkJob, JStreamingJob}

object JobStylesTest {

  /** Legacy: remembers the named objects it had in `validate`, and what it got. */
  class LegacyReceives extends SparkJob {
    @volatile var namedObjectsInValidate: NamedObjects = _

    override def validate(sc: SparkContext, config: Config): SparkJobValidation = {
      namedObjectsInValidate = namedObjects
      if (config.hasPath("refuse")) SparkJobInvalid(config.getString("refuse")) && SparkJobInvalid("second reason")
      else SparkJobValid
    }

    override def runJob(sc: SparkContext, jobConfig: Config): Any = Seq(sc, jobConfig.getString("value"))
  }

  /** New API: the data `validate` made reaches `runJob`; refuses as told. */
  class ApiReceives extends api.SparkJob {
    type JobData = String
    type JobOutput = Seq[AnyRef]

    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): String Or Every[ValidationProblem] =
      config.getInt("problems") match {
        case 0 => Good("data of " + runtime.jobId)
        case 1 => Bad(One(SingleProblem("one")))
        case _ => Bad(Many(SingleProblem("one"), SingleProblem("two")))
      }

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: String): Seq[AnyRef] = Seq(sc, data)
  }

  class LegacyJavaReceives extends JavaSparkJob {
    override def invalidate(jsc: JavaSparkContext, config: Config): String = if (config.hasPath("refuse")) "no" else null

    override def runJob(jsc: JavaSparkContext, jobConfig: Config): Any = jsc
  }

  class JavaReceives extends JSparkJob[AnyRef] {
    override def verify(sc: JavaSparkContext, runtime: JobEnvironment, config: Config): Config = config

    override def run(sc: JavaSparkContext, runtime: JobEnvironment, data: Config): AnyRef = sc
  }

  class CustomReceives extends api.SparkJobBase {
    type C = AnyRef
    type JobData = AnyRef
    type JobOutput = AnyRef

    override def validate(sc: AnyRef, runtime: JobEnvironment, config: Config): AnyRef Or Every[ValidationProblem] = Good(sc)

    override def runJob(sc: AnyRef, runtime: JobEnvironment, data: AnyRef): AnyRef = data
  }

  class SessionReceives extends SparkSessionJob {
    type JobData = Config
    type JobOutput = Any

    override def validate(sc: SparkSession, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(sc: SparkSession, runtime: JobEnvironment, data: Config): Any = sc
  }

  class StreamingReceives extends SparkStreamingJob {
    override def validate(ssc: StreamingContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(ssc: StreamingContext, jobConfig: Config): Any = ssc
  }

  class JavaSessionReceives extends JSessionJob[AnyRef] {
    override def verify(sc: SparkSession, runtime: JobEnvironment, config: Config): Config = config

    override def run(sc: SparkSession, runtime: JobEnvironment, data: Config): AnyRef = sc
  }

  class JavaStreamingReceives extends JStreamingJob[AnyRef] {
    override def verify(sc: StreamingContext, runtime: JobEnvironment, config: Config): Config = config

    override def run(sc: StreamingContext, runtime: JobEnvironment, data: Config): AnyRef = sc
  }

  /** A factory of neither API: its contexts run no job. */
  class NeitherApiFactory extends SparkContextFactory {
    type C = ContextLike

    override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): ContextLike =
      throw new UnsupportedOperationException
  }
}

/**
 * Admission, validation and what each style receives, on one real local SparkContext and the real named
 * objects: the legacy styles through the API's own adapter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobStylesTest {
  import JobStylesTest._

  @TempDir var dir: Path = _

  private var context: ContextLike = _
  private val objects = new DriverNamedObjects(Duration.ofSeconds(5), java.time.Clock.systemUTC())

  @BeforeAll
  def startSpark(): Unit = {
    val conf = new SparkConf(false)
      .setMaster("local[1]")
      .setAppName("JobStylesTest")
      .set("spark.ui.enabled", "false")
      .set("spark.driver.host", "127.0.0.1")
      .set("spark.driver.bindAddress", "127.0.0.1")
    context = new DefaultSparkContextFactory().makeContext(conf, ConfigFactory.empty(), "styles")
  }

  @AfterAll
  def stopSpark(): Unit = if (context != null) context.stop()

  private def env: DriverJobEnvironment = {
    val noServer = new ServerFiles(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:9"), "ctx", "secret")
    new DriverJobEnvironment("job-1", objects, ConfigFactory.parseString("context.name = styles"), new DataFiles(dir, noServer))
  }

  private def validate(job: AnyRef, config: String = "", on: ContextLike = context): JobStyles.Validated =
    JobStyles.validate(job, on, env, ConfigFactory.parseString(config))

  private def run(validated: JobStyles.Validated): Any = validated match {
    case valid: JobStyles.Valid => valid.runner().run()
    case invalid: JobStyles.Invalid => fail(s"refused: ${invalid.error}")
  }

  private def refusal(validated: JobStyles.Validated): String = validated match {
    case invalid: JobStyles.Invalid =>
      assertEquals(JobStyles.VALIDATION_ERROR_CLASS, invalid.error.errorClass)
      assertEquals("java.lang.Throwable", invalid.error.errorClass)
      assertEquals("", invalid.error.stack)
      invalid.error.message
    case _ => fail("validation passed")
  }

  @Test
  def theLegacyAdapterGivesTheNamedObjectsBeforeValidateAndTheConfigToRunJob(): Unit = {
    val job = new LegacyReceives
    assertEquals(null, job.namedObjects)
    val validated = validate(job, "value = v")
    assertSame(objects, job.namedObjectsInValidate)
    assertSame(objects, job.namedObjects)
    assertEquals(Seq(context.sparkContext, "v"), run(validated))
  }

  @Test
  def legacyRefusalsAreTheOriginalsOneOfSparkJobInvalid(): Unit = {
    // && keeps the first invalid.
    assertEquals("One(SparkJobInvalid(first reason))", refusal(validate(new LegacyReceives, "refuse = \"first reason\"")))
    assertEquals("One(SparkJobInvalid(no))", refusal(validate(new LegacyJavaReceives, "refuse = yes")))
  }

  @Test
  def aNullValidationIsAnIllegalStateOfTheJob(): Unit = {
    val legacy = assertThrows(classOf[IllegalStateException], () => validate(new TestJobs.NullLegacyValidate))
    assertEquals(classOf[TestJobs.NullLegacyValidate].getName + ".validate returned null", legacy.getMessage)
    val typed = assertThrows(classOf[IllegalStateException], () => validate(new TestJobs.NullValidate))
    assertEquals(classOf[TestJobs.NullValidate].getName + ".validate returned null", typed.getMessage)
  }

  @Test
  def newApiValidationsAreScalacticsRendering(): Unit = {
    assertEquals(Seq(context.sparkContext, "data of job-1"), run(validate(new ApiReceives, "problems = 0")))
    assertEquals("One(SingleProblem(one))", refusal(validate(new ApiReceives, "problems = 1")))
    assertEquals("Many(SingleProblem(one), SingleProblem(two))", refusal(validate(new ApiReceives, "problems = 2")))
  }

  @Test
  def eachStyleReceivesTheContextItDeclares(): Unit = {
    val sc = context.sparkContext
    run(validate(new LegacyJavaReceives)) match {
      case jsc: JavaSparkContext => assertSame(sc, jsc.sc)
      case other                 => fail(s"got $other")
    }
    run(validate(new JavaReceives)) match {
      case jsc: JavaSparkContext => assertSame(sc, jsc.sc)
      case other                 => fail(s"got $other")
    }
    // A style the server does not know gets the context its factory made.
    assertSame(context, run(validate(new CustomReceives)))
  }

  @Test
  def sessionAndStreamingJobsNeedTheirContext(): Unit = {
    val name = context.getClass.getName
    for (job <- Seq(new SessionReceives, new JavaSessionReceives)) {
      val thrown = assertThrows(classOf[IllegalStateException], () => validate(job))
      assertEquals("a session job needs a SparkSession, this context provides " + name, thrown.getMessage)
    }
    for (job <- Seq(new StreamingReceives, new JavaStreamingReceives)) {
      val thrown = assertThrows(classOf[IllegalStateException], () => validate(job))
      assertEquals("a streaming job needs a StreamingContext, this context provides " + name, thrown.getMessage)
    }
    val notAJob = assertThrows(classOf[IllegalArgumentException], () => validate("a string"))
    assertEquals("java.lang.String is not a job", notAJob.getMessage)
  }

  @Test
  def eachFactoryAdmitsExactlyItsOwnStyles(): Unit = {
    val jobs: Seq[AnyRef] = Seq(
      new LegacyReceives,
      new LegacyJavaReceives,
      new ApiReceives,
      new JavaReceives,
      new SessionReceives,
      new JavaSessionReceives,
      new StreamingReceives,
      new JavaStreamingReceives,
      new CustomReceives,
      new TestJobs.NotAJob,
      "not a job")
    def admitted(factory: SparkContextFactory): Seq[String] =
      jobs.filter(JobStyles.admits(factory, _)).map(_.getClass.getSimpleName)

    val spark = Seq("LegacyReceives", "LegacyJavaReceives", "ApiReceives", "JavaReceives")
    assertEquals(spark, admitted(new DefaultSparkContextFactory))
    assertEquals(spark, admitted(new JavaSparkContextFactory))
    assertEquals(Seq("SessionReceives"), admitted(new SessionContextFactory))
    assertEquals(Seq("JavaSessionReceives"), admitted(new JavaSessionContextFactory))
    assertEquals(Seq("StreamingReceives"), admitted(new StreamingContextFactory))
    assertEquals(Seq("JavaStreamingReceives"), admitted(new JavaStreamingContextFactory))
    assertEquals(Seq(), admitted(new NeitherApiFactory))
    // A factory that says yes to everything still runs only jobs.
    assertEquals(jobs.size - 2, admitted(new AdmitAllFactory).size)
    assertFalse(JobStyles.admits(new AdmitAllFactory, "not a job"))
    assertTrue(JobStyles.admits(new AdmitAllFactory, new CustomReceives))
  }
}
