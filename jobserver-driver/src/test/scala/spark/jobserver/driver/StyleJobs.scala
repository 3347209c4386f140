package spark.jobserver.driver

import java.io.InputStream
import java.util.concurrent.atomic.{AtomicBoolean, AtomicInteger, AtomicReference}

import scala.collection.mutable
import scala.concurrent.duration._
import scala.jdk.CollectionConverters._

import com.typesafe.config.Config
import org.apache.spark.SparkContext
import org.apache.spark.rdd.RDD
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.streaming.StreamingQuery
import org.apache.spark.storage.StorageLevel
import org.apache.spark.streaming.StreamingContext
import org.scalactic.{Bad, Every, Good, One, Or}
import spark.jobserver.{DataFramePersister, NamedDataFrame, NamedObjectPersister, NamedRddSupport, SparkJob, SparkJobInvalid, SparkJobValid, SparkJobValidation, SparkSessionJob, SparkStreamingJob}
import spark.jobserver.api.{JobEnvironment, SingleProblem, ValidationProblem}

/**
 * Session, streaming, named-object and stream-result jobs of the Scala styles for the driver's tests;
 * addressed as `spark.jobserver.driver.StyleJobs$Name`. The values here let a test see what a job did.
 */
object StyleJobs {

  // ---- session

  /** Runs `sql` on the session; the rows come back as their toString. */
  class SessionSql extends SparkSessionJob {
    type JobData = String
    type JobOutput = Array[Row]

    override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): String Or Every[ValidationProblem] =
      if (config.hasPath("sql")) Good(config.getString("sql")) else Bad(One(SingleProblem("No sql param")))

    override def runJob(spark: SparkSession, runtime: JobEnvironment, sql: String): Array[Row] = spark.sql(sql).collect()
  }

  /** Reports a Hadoop setting and the session's catalog. */
  class SessionFacts extends SparkSessionJob {
    type JobData = Config
    type JobOutput = Map[String, String]

    override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(spark: SparkSession, runtime: JobEnvironment, data: Config): Map[String, String] = Map(
      "hadoop" -> String.valueOf(spark.sparkContext.hadoopConfiguration.get("jobserver.test.setting")),
      "catalog" -> spark.conf.get("spark.sql.catalogImplementation"))
  }

  /** Keeps a DataFrame by name with an implicit [[DataFramePersister]]; returns its row count and storage level. */
  class StoreDataFrame extends SparkSessionJob {
    type JobData = Config
    type JobOutput = Seq[Any]

    implicit val dataFramePersister: NamedObjectPersister[NamedDataFrame] = new DataFramePersister

    override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(spark: SparkSession, runtime: JobEnvironment, data: Config): Seq[Any] = {
      val NamedDataFrame(df, _, _) = runtime.namedObjects.getOrElseCreate(
        "frame",
        NamedDataFrame(spark.range(7).toDF(), forceComputation = true, StorageLevel.MEMORY_AND_DISK))
      Seq(df.count(), df.storageLevel.description)
    }
  }

  /** Set by [[StartStructuredQuery]]. */
  val query = new AtomicReference[StreamingQuery]()

  /** Starts a structured-streaming query that runs until stopped. */
  class StartStructuredQuery extends SparkSessionJob {
    type JobData = Config
    type JobOutput = String

    override def validate(spark: SparkSession, runtime: JobEnvironment, config: Config): Config Or Every[ValidationProblem] =
      Good(config)

    override def runJob(spark: SparkSession, runtime: JobEnvironment, data: Config): String = {
      val started = spark.readStream.format("rate").option("rowsPerSecond", 1).load()
        .writeStream.format("memory").queryName("rates").start()
      query.set(started)
      String.valueOf(started.isActive)
    }
  }

  // ---- streaming

  /** Batches seen by [[CountingStream]]. */
  val batches = new AtomicInteger()

  /** What [[CountingStream]] returned after its context stopped. */
  val streamEnded = new AtomicReference[String]()

  /** Legacy streaming style: counts the batches of a queue stream until the context stops. */
  class CountingStream extends SparkStreamingJob {
    override def validate(ssc: StreamingContext, config: Config): SparkJobValidation =
      if (config.hasPath("words")) SparkJobValid else SparkJobInvalid("No words param")

    override def runJob(ssc: StreamingContext, jobConfig: Config): Any = {
      val words = jobConfig.getStringList("words").asScala.toSeq
      val queue = mutable.Queue[RDD[String]](ssc.sparkContext.parallelize(words))
      ssc.queueStream(queue, oneAtATime = true).foreachRDD { rdd =>
        rdd.count()
        batches.incrementAndGet()
      }
      ssc.start()
      ssc.awaitTermination()
      streamEnded.set(s"stopped after ${batches.get} batches")
      streamEnded.get
    }
  }

  // ---- named RDDs of legacy jobs

  /** Legacy job with the original's named RDDs: squares 1..5 from a named RDD and sums them (55). */
  class CacheByName extends SparkJob with NamedRddSupport {
    implicit val timeout: FiniteDuration = 5.seconds

    override def validate(sc: SparkContext, config: Config): SparkJobValidation =
      // Set before validation, as in the original.
      if (namedObjects != null) SparkJobValid else SparkJobInvalid("no named objects")

    override def runJob(sc: SparkContext, jobConfig: Config): Any = {
      val rdd = namedRdds.getOrElseCreate("squares-source", sc.parallelize(1 to 5))
      val again = namedRdds.get[Int]("squares-source")
      if (!again.exists(_ eq rdd)) throw new IllegalStateException("named RDD not found again")
      Seq(rdd.map(x => x * x).reduce(_ + _), rdd.name, rdd.getStorageLevel.description)
    }
  }

  // ---- stream results

  /** Set by [[PatternStream]] when first read. */
  val readBy = new AtomicReference[String]()

  /** Set when a [[PatternStream]] is closed. */
  val closed = new AtomicBoolean()

  /** Returns `size` bytes as an InputStream that makes them as it is read. */
  class StreamResult extends SparkJob {
    override def validate(sc: SparkContext, config: Config): SparkJobValidation = SparkJobValid

    override def runJob(sc: SparkContext, jobConfig: Config): Any = new PatternStream(jobConfig.getLong("size"))
  }

  /** Bytes `i % 251` for i in [0, size), made on demand. */
  class PatternStream(size: Long) extends InputStream {
    private var position = 0L

    override def read(): Int = {
      readBy.compareAndSet(null, Thread.currentThread().getName)
      if (position < size) {
        val b = (position % 251).toInt
        position += 1
        b
      } else -1
    }

    override def read(b: Array[Byte], off: Int, len: Int): Int = {
      readBy.compareAndSet(null, Thread.currentThread().getName)
      if (position >= size) return -1
      val n = math.min(len.toLong, size - position).toInt
      for (i <- 0 until n) {
        b(off + i) = (position % 251).toByte
        position += 1
      }
      n
    }

    override def close(): Unit = closed.set(true)
  }
}
