package spark.jobserver.context

import com.typesafe.config.{Config, ConfigFactory}
import org.apache.hadoop.conf.Configuration
import org.apache.spark.api.java.JavaSparkContext
import org.junit.jupiter.api.Assertions.{assertEquals, assertFalse, assertThrows, assertTrue}
import org.junit.jupiter.api.Test
import org.scalactic.{Every, Good, Or}
import spark.jobserver.{api, JavaSparkJob}
import spark.jobserver.api.{JobEnvironment, ValidationProblem}
import spark.jobserver.japi.BaseJavaJob

object DefaultSparkContextFactoryTest {
  class LegacyJava extends JavaSparkJob {
    override def runJob(jsc: JavaSparkContext, jobConfig: Config): Any = ()
  }

  /** A new-API job for some other kind of context. */
  class OnAString extends api.SparkJobBase {
    type C = String
    type JobData = Config
    type JobOutput = Any
    override def validate(sc: String, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)
    override def runJob(sc: String, runtime: JobEnvironment, data: Config): Any = ()
  }

  /** A Java job for some other kind of context. */
  class JavaOnAString extends BaseJavaJob[AnyRef, String] {
    override def run(sc: String, runtime: JobEnvironment, data: Config): AnyRef = null
    override def verify(sc: String, runtime: JobEnvironment, config: Config): Config = config
  }
}

class DefaultSparkContextFactoryTest {
  import ContextFactoriesTest.{Java, Legacy, Typed}
  import DefaultSparkContextFactoryTest._

  @Test
  def theDefaultFactoryRunsLegacyTypedAndJavaJobs(): Unit = {
    val factory = new DefaultSparkContextFactory
    assertTrue(factory.isValidJob(new Legacy))
    assertTrue(factory.isValidJob(new LegacyJava))
    assertTrue(factory.isValidJob(new Typed))
    assertTrue(factory.isValidJob(new Java))
    assertFalse(factory.isValidJob(new OnAString))
    assertFalse(factory.isValidJob(new JavaOnAString))
  }

  @Test
  def theJavaFactoryAcceptsTheSameJobs(): Unit = {
    val factory = new JavaSparkContextFactory
    assertTrue(factory.isInstanceOf[ScalaContextFactory] && factory.isInstanceOf[JavaContextFactory])
    for (job <- Seq(new Legacy, new LegacyJava, new Typed)) assertTrue(factory.isValidJob(job), job.getClass.getSimpleName)
    assertTrue(factory.isValidJob(new Java))
    assertFalse(factory.isValidJob(new OnAString))
    assertFalse(factory.isValidJob(new JavaOnAString))
  }

  @Test
  def hadoopSettingsAreCopiedWithTheirFullKeys(): Unit = {
    val settings = ConfigFactory.parseString(
      """
        |hadoop {
        |  mapreduce.framework.name = local
        |  "fs.s3a.endpoint" = "http://s3.local"
        |  dfs.replication = 2
        |}
        |""".stripMargin)
    val hadoop = new Configuration(false)
    HadoopSettings.copy(settings, hadoop)
    assertEquals("local", hadoop.get("mapreduce.framework.name"))
    assertEquals("http://s3.local", hadoop.get("fs.s3a.endpoint"))
    assertEquals("2", hadoop.get("dfs.replication"))
  }

  @Test
  def noHadoopSectionChangesNothingAndAWrongOneIsExplained(): Unit = {
    val hadoop = new Configuration(false)
    HadoopSettings.copy(ConfigFactory.empty(), hadoop)
    assertEquals(0, hadoop.size())
    val thrown = assertThrows(
      classOf[IllegalArgumentException],
      () => HadoopSettings.copy(ConfigFactory.parseString("hadoop = yes"), hadoop))
    assertTrue(thrown.getMessage.contains("'hadoop' must be an object"), thrown.getMessage)
  }

  @Test
  def aFailedCopyStopsWhatTheFactoryMadeAndRethrows(): Unit = {
    var stopped = false
    assertThrows(
      classOf[IllegalArgumentException],
      () => HadoopSettings.applyOrStop(ConfigFactory.parseString("hadoop = yes"), new Configuration(false), () => stopped = true))
    assertTrue(stopped)
  }
}
