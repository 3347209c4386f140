package spark.jobserver.driver

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.Files
import java.util.concurrent.{CountDownLatch, TimeUnit}
import java.util.concurrent.atomic.AtomicReference

import scala.annotation.nowarn
import scala.util.control.NonFatal

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.scalactic.{Bad, Every, Good, Many, One, Or}
import spark.jobserver.{api, ContextLike, NamedObject, NamedObjectPersister, SparkJob, SparkJobInvalid, SparkJobValid, SparkJobValidation}
import spark.jobserver.api.{DataFileCache, JobEnvironment, SingleProblem, ValidationProblem}

/**
 * Jobs of the Scala styles for the driver's tests, written the way job authors write them; addressed as
 * `spark.jobserver.driver.TestJobs$Name`. The Java styles are in [[JavaJobs]]. The values here let a test
 * see what a job did; test code only.
 */
object TestJobs {

  /** Legacy style: doubles 1, 2, 3 on the cluster (an `Array[Int]` result); needs `input`. */
  class Legacy extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation =
      if (config.hasPath("input")) SparkJobValid else SparkJobInvalid("No input param")

    override def runJob(sc: SparkContext, jobConfig: Config): Any = sc.parallelize(Seq(1, 2, 3)).map(_ * 2).collect()
  }

  /** New API: counts the words of `input.string`. */
  class Typed extends api.SparkJob {
    type JobData = String
    type JobOutput = collection.Map[String, Long]

    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
      if (config.hasPath("input.string")) Good(config.getString("input.string"))
      else Bad(One(SingleProblem("No input.string param")))

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput =
      sc.parallelize(data.split(" ").toSeq).countByValue()
  }

  /** New API, refusing its input for two reasons at once. */
  class TwoProblems extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Bad(Many(SingleProblem("No input.a param"), SingleProblem("No input.b param")))

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = "unreachable"
  }

  /** New API whose validate throws. */
  class ThrowingValidate extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      throw new IllegalStateException("validate exploded")

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = null
  }

  /** New API whose validate returns null, which is a bug of the job. */
  class NullValidate extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] = null

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = null
  }

  /** Legacy style whose validate returns null. */
  class NullLegacyValidate extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = null

    override def runJob(sc: SparkContext, jobConfig: Config): Any = null
  }

  /** Throws IllegalArgumentException("Foobar"). */
  class Failing extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = throw new IllegalArgumentException("Foobar")
  }

  /** Throws an OutOfMemoryError, which must fail the job and nothing else. */
  class Fatal extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = throw new OutOfMemoryError("this job is too hungry")
  }

  /** Sleeps `sleep.time.millis`, interruptibly, and returns the millis. */
  class Sleep extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = {
      val millis = jobConfig.getLong("sleep.time.millis")
      Thread.sleep(millis)
      millis
    }
  }

  /** Counted down by [[Stubborn]] when it returns despite the interrupt. */
  val stubbornReturned = new CountDownLatch(1)

  /** What happened to the Spark job [[Stubborn]] tried after its kill. */
  val stubbornSparkJob = new AtomicReference[String]()

  /**
   * Ignores interrupts, then still tries to use the cluster and returns a result anyway: a kill must
   * still be the job's last word, and its later Spark jobs must be cancelled.
   */
  class Stubborn extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = {
      val end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(jobConfig.getLong("sleep.time.millis"))
      while (System.nanoTime() < end) {
        try Thread.sleep(20)
        catch { case _: InterruptedException => } // deliberately ignored
      }
      try {
        sc.parallelize(Seq(1, 2)).count()
        stubbornSparkJob.set("ran")
      } catch {
        case NonFatal(e) => stubbornSparkJob.set("failed: " + e.getMessage)
      }
      stubbornReturned.countDown()
      "done anyway"
    }
  }

  /** Runs a Spark job whose tasks sleep a minute: only a cancelled job group ends it early. */
  class SlowSpark extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any =
      sc.parallelize(Seq(1), 1).map { x => Thread.sleep(60000); x }.collect()
  }

  /** Reports what the job sees of its configuration and environment. */
  class Echo extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = Map(
      "jobId" -> runtime.jobId,
      "context" -> runtime.contextConfig.getString("context.name"),
      "posted" -> data.getString("a"),
      "fallback" -> data.getString("spark.jobserver.flag"),
      "resolved" -> data.getString("b"),
      "dataFileCache" -> runtime.isInstanceOf[DataFileCache],
      "loader" -> String.valueOf(Thread.currentThread().getContextClassLoader.getName))
  }

  /** Reads the data file named by `file` through the environment, as the original's jobs do. */
  class DataFile extends api.SparkJob {
    type JobData = String
    type JobOutput = String

    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): String Or Every[ValidationProblem] =
      Good(config.getString("file"))

    override def runJob(sc: SparkContext, runtime: JobEnvironment, path: String): String = {
      val file = runtime.asInstanceOf[DataFileCache].getDataFile(path)
      new String(Files.readAllBytes(file.toPath), UTF_8)
    }
  }

  /** A plain value kept by name. */
  case class Box(value: Int) extends NamedObject

  /** Keeps nothing anywhere; counts its calls. */
  class BoxPersister extends NamedObjectPersister[Box] {
    val persisted = new java.util.concurrent.atomic.AtomicInteger()
    val unpersisted = new java.util.concurrent.CopyOnWriteArrayList[Box]()

    override def persist(namedObj: Box, name: String): Unit = persisted.incrementAndGet()

    override def refresh(namedObject: Box): Box = namedObject

    override def unpersist(namedObject: Box): Unit = unpersisted.add(namedObject)
  }

  /** Creates (or finds) the named object `box` with an implicit persister; returns the names and its value. */
  class Named extends api.OldSparkJob {
    implicit val boxPersister: NamedObjectPersister[Box] = new BoxPersister

    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = {
      val box = runtime.namedObjects.getOrElseCreate("box", Box(data.getInt("value")))
      Seq(runtime.namedObjects.getNames(), box.value)
    }
  }

  /** A case class result: an array of its field values, as in the original. */
  case class Word(word: String, count: Long)

  /** Returns the Scala value named by `kind`, to see how each is rendered. */
  class ScalaResult extends api.OldSparkJob {
    override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    @nowarn("cat=deprecation") // Stream: deprecated in Scala 2.13, returned by jobs of the original
    override def runJob(sc: SparkContext, runtime: JobEnvironment, data: Config): Any = data.getString("kind") match {
      case "seq"         => Seq(1, 2, 3)
      case "list"        => List("a", "b")
      case "map"         => Map("a" -> 1, "b" -> Seq("x", "y"), "c" -> Map("d" -> true))
      case "emptyMap"    => Map.empty[String, Int]
      case "symbolKeys"  => Map(Symbol("a") -> 1)
      case "intKeys"     => Map(1 -> "one")
      case "some"        => Some("x")
      case "none"        => None
      case "caseClass"   => Word("a", 2)
      case "tuple"       => ("horse", 3)
      case "nested"      => Seq(Some(Word("b", 1)), None, ("t", List(1)))
      case "arrayOfInt"  => Array(2, 4, 6)
      case "bigDecimal"  => BigDecimal("100.50")
      case "bigInt"      => BigInt("123456789012345678901234567890")
      case "double"      => 3.5
      case "long"        => 1L << 40
      case "unit"        => ()
      case "stream"      => "\"streamed\"".getBytes(UTF_8).toStream
      case "lazyList"    => LazyList.from("[1,2,3]".getBytes(UTF_8))
      case "manyBytes"   => LazyList.tabulate(data.getInt("size"))(i => ('a' + i % 26).toByte)
      case "notBytes"    => LazyList(1, 2)
      case "emptyLazyList" => LazyList.empty[Byte]
      case "notBytesStream" => Stream(1, 2)
    }
  }

  /** A Scala object: the same instance for every run (`TestJobs$ObjectJob$.MODULE$`). */
  object ObjectJob extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = System.identityHashCode(this)
  }

  /** A job of a style no built-in factory runs: its context is whatever its factory made. */
  class OnContextLike extends api.SparkJobBase {
    type C = AnyRef
    type JobData = Config
    type JobOutput = Any

    override def validate(sc: AnyRef, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(sc: AnyRef, runtime: JobEnvironment, data: Config): Any = Seq(
      sc.getClass.getName,
      sc.isInstanceOf[ContextLike],
      sc.isInstanceOf[org.apache.spark.sql.SparkSession])
  }

  /** Not a job at all. */
  class NotAJob

  /** A job without a usable constructor. */
  class NoDefaultConstructor(unused: String) extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = unused
  }

  /** A class job whose companion object is not a job: the class is the job. */
  class WithCompanion extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = WithCompanion.Answer
  }

  object WithCompanion {
    val Answer: Int = 42
  }

  /** A job whose object cannot be initialized. */
  class BrokenInit extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = BrokenInit.Value
  }

  object BrokenInit {
    val Value: Int = "not a number".toInt
  }
}

/** A top-level Scala object of the new API, as the original's examples are: counts the words of `input.string`. */
object WordCountObject extends api.SparkJob {
  type JobData = Seq[String]
  type JobOutput = collection.Map[String, Long]

  override def validate(sc: SparkContext, runtime: JobEnvironment, config: Config): JobData Or Every[ValidationProblem] =
    if (config.hasPath("input.string")) Good(config.getString("input.string").split(" ").toSeq)
    else Bad(One(SingleProblem("No input.string param")))

  override def runJob(sc: SparkContext, runtime: JobEnvironment, data: JobData): JobOutput = sc.parallelize(data).countByValue()
}

/**
 * A custom factory that admits every job, of either API; the tests hand it contexts made elsewhere to
 * see what a job of a style no built-in factory runs receives.
 */
class AdmitAllFactory extends spark.jobserver.context.ScalaContextFactory with spark.jobserver.context.JavaContextFactory {
  type C = ContextLike

  override def makeContext(sparkConf: org.apache.spark.SparkConf, config: Config, contextName: String): ContextLike =
    throw new UnsupportedOperationException("tests make their contexts themselves")

  override def isValidJob(job: api.SparkJobBase): Boolean = true

  override def isValidJob(job: spark.jobserver.japi.BaseJavaJob[_, _]): Boolean = true
}
