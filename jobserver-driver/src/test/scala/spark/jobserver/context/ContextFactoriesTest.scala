package spark.jobserver.context

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.spark.{SparkConf, SparkContext}
import org.apache.spark.api.java.JavaSparkContext
import org.apache.spark.sql.SparkSession
import org.apache.spark.streaming.StreamingContext
import org.junit.jupiter.api.Assertions.{assertEquals, assertFalse, assertThrows, assertTrue}
import org.junit.jupiter.api.Test
import org.scalactic.{Every, Good, Or}
import spark.jobserver.{api, SparkJob, SparkJobValid, SparkJobValidation, SparkSessionJob, SparkStreamingJob}
import spark.jobserver.api.{JobEnvironment, ValidationProblem}
import spark.jobserver.context.SessionContextFactory.{Enabled, Fallback, Off}
import spark.jobserver.japi.{BaseJavaJob, JSessionJob, JSparkJob, JStreamingJob}

object ContextFactoriesTest {
  class Legacy extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid
    override def runJob(sc: SparkContext, jobConfig: Config): Any = ()
  }

  class Typed extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)
    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = ()
  }

  class Java extends JSparkJob[String] {
    override def run(sc: JavaSparkContext, runtime: JobEnvironment, data: Config): String = null
    override def verify(sc: JavaSparkContext, runtime: JobEnvironment, config: Config): Config = config
  }

  class Session extends SparkSessionJob {
    type JobData = Config
    type JobOutput = Any
    override def validate(sc: SparkSession, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)
    override def runJob(sc: SparkSession, runtime: JobEnvironment, data: Config): Any = ()
  }

  class JavaSession extends JSessionJob[AnyRef] {
    override def run(sc: SparkSession, runtime: JobEnvironment, data: Config): AnyRef = null
    override def verify(sc: SparkSession, runtime: JobEnvironment, config: Config): Config = config
  }

  class Streaming extends SparkStreamingJob {
    override def validate(ssc: StreamingContext, config: Config): SparkJobValidation = SparkJobValid
    override def runJob(ssc: StreamingContext, jobConfig: Config): Any = ()
  }

  class JavaStreaming extends JStreamingJob[AnyRef] {
    override def run(sc: StreamingContext, runtime: JobEnvironment, data: Config): AnyRef = null
    override def verify(sc: StreamingContext, runtime: JobEnvironment, config: Config): Config = config
  }

  private val AllStyles: Seq[AnyRef] =
    Seq(new Legacy, new Typed, new Java, new Session, new JavaSession, new Streaming, new JavaStreaming)

  /** The styles a factory's own `isValidJob` accepts, by the API it implements for each. */
  def accepted(factory: SparkContextFactory): Seq[String] = AllStyles.filter {
    case job: api.SparkJobBase => factory match {
        case scala: ScalaContextFactory => scala.isValidJob(job)
        case _                          => false
      }
    case job: BaseJavaJob[_, _] => factory match {
        case java: JavaContextFactory => java.isValidJob(job)
        case _                        => false
      }
  }.map(_.getClass.getSimpleName)
}

/** Which job styles each factory accepts, and how the session factory decides on Hive. */
class ContextFactoriesTest {
  import ContextFactoriesTest._

  @Test
  def eachFactoryAcceptsExactlyItsOwnStyles(): Unit = {
    val byFactory = Seq(
      "Default" -> accepted(new DefaultSparkContextFactory),
      "JavaSpark" -> accepted(new JavaSparkContextFactory),
      "Session" -> accepted(new SessionContextFactory),
      "JavaSession" -> accepted(new JavaSessionContextFactory),
      "Streaming" -> accepted(new StreamingContextFactory),
      "JavaStreaming" -> accepted(new JavaStreamingContextFactory))

    assertEquals(
      Seq(
        "Default" -> Seq("Legacy", "Typed", "Java"),
        "JavaSpark" -> Seq("Legacy", "Typed", "Java"),
        "Session" -> Seq("Session"),
        "JavaSession" -> Seq("JavaSession"),
        "Streaming" -> Seq("Streaming"),
        "JavaStreaming" -> Seq("JavaStreaming")),
      byFactory)
  }

  @Test
  def theReferenceNamesAreTheClassNames(): Unit = {
    assertEquals(
      Seq(
        "spark.jobserver.context.DefaultSparkContextFactory",
        "spark.jobserver.context.JavaSparkContextFactory",
        "spark.jobserver.context.SessionContextFactory",
        "spark.jobserver.context.JavaSessionContextFactory",
        "spark.jobserver.context.StreamingContextFactory",
        "spark.jobserver.context.JavaStreamingContextFactory"),
      Seq(
        classOf[DefaultSparkContextFactory],
        classOf[JavaSparkContextFactory],
        classOf[SessionContextFactory],
        classOf[JavaSessionContextFactory],
        classOf[StreamingContextFactory],
        classOf[JavaStreamingContextFactory]).map(_.getName))
  }

  private def settings(hocon: String): Config = ConfigFactory.parseString(hocon)

  @Test
  def hiveIsUsedWhenWantedAndPresent(): Unit = {
    assertEquals(Enabled, SessionContextFactory.hive(settings(""), new SparkConf(false), classesPresent = true))
    assertEquals(
      Enabled,
      SessionContextFactory.hive(settings("spark.session.hive.enabled = true"), new SparkConf(false), classesPresent = true))
    assertEquals(
      Off,
      SessionContextFactory.hive(settings("spark.session.hive.enabled = false"), new SparkConf(false), classesPresent = true))
  }

  @Test
  def withoutHiveClassesTheDefaultFallsBackToAPlainSession(): Unit = {
    // The bundled defaults say spark.session.hive.enabled = true: that is a wish, not a requirement.
    assertEquals(
      Fallback,
      SessionContextFactory.hive(settings("spark.session.hive.enabled = true"), new SparkConf(false), classesPresent = false))
    assertEquals(Fallback, SessionContextFactory.hive(settings(""), new SparkConf(false), classesPresent = false))
    assertEquals(
      Off,
      SessionContextFactory.hive(settings("spark.session.hive.enabled = \"false\""), new SparkConf(false), classesPresent = false))
  }

  @Test
  def hiveRequiredThroughTheCatalogSettingFailsClearlyWhenAbsent(): Unit = {
    val required = settings("spark.sql.catalogImplementation = hive")
    val thrown = assertThrows(
      classOf[IllegalStateException],
      () => SessionContextFactory.hive(required, new SparkConf(false), classesPresent = false))
    assertTrue(
      thrown.getMessage.startsWith(
        "Hive support was requested (spark.sql.catalogImplementation = hive) but the Hive classes are not on the driver's class path"),
      thrown.getMessage)
    // SparkSubmit passes spark.* settings as Spark configuration: the same rule applies there.
    val conf = new SparkConf(false).set("spark.sql.catalogImplementation", "hive")
    assertThrows(classOf[IllegalStateException], () => SessionContextFactory.hive(settings(""), conf, classesPresent = false))
    assertEquals(Enabled, SessionContextFactory.hive(required, new SparkConf(false), classesPresent = true))
    assertEquals(
      Fallback,
      SessionContextFactory.hive(settings("spark.sql.catalogImplementation = in-memory"), new SparkConf(false), classesPresent = false))
  }

  @Test
  def theDriversClassPathHasNoHive(): Unit = {
    // What the fallback above is for: the bundled driver runtime leaves spark-hive out.
    assertFalse(SessionContextFactory.hiveClassesPresent)
  }
}
