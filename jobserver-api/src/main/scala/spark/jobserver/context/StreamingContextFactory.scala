package spark.jobserver.context

import com.typesafe.config.{Config, ConfigException}
import org.apache.spark.SparkConf
import org.apache.spark.streaming.{Milliseconds, StreamingContext}
import spark.jobserver.{api, ContextLike, SparkStreamingJob}
import spark.jobserver.japi.{BaseJavaJob, JStreamingJob}

/**
 * Makes a Spark Streaming `StreamingContext` and runs [[spark.jobserver.SparkStreamingJob]]s in it.
 * Context settings: `streaming.batch_interval` (milliseconds, default 1000), `streaming.stopGracefully`
 * (default true: stopping waits for the batches received so far) and `streaming.stopSparkContext`
 * (default true); `hadoop { k = v }` goes into the Hadoop configuration. Contexts of this factory stop
 * after a failed job unless `stop-context-on-job-error = false`.
 */
class StreamingContextFactory extends ScalaContextFactory {

  type C = StreamingContext with ContextLike

  override def isValidJob(job: api.SparkJobBase): Boolean = job.isInstanceOf[SparkStreamingJob]

  override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C =
    StreamingContextFactory.makeStreamingContext(sparkConf, config)
}

/** The streaming factory for Java jobs: the same context as [[StreamingContextFactory]], for [[spark.jobserver.japi.JStreamingJob]]s. */
class JavaStreamingContextFactory extends JavaContextFactory {

  type C = StreamingContext with ContextLike

  override def isValidJob(job: BaseJavaJob[_, _]): Boolean = job.isInstanceOf[JStreamingJob[_]]

  override def makeContext(sparkConf: SparkConf, config: Config, contextName: String): C =
    StreamingContextFactory.makeStreamingContext(sparkConf, config)
}

object StreamingContextFactory {

  private[context] def makeStreamingContext(sparkConf: SparkConf, config: Config): StreamingContext with ContextLike = {
    val interval = setting(config, "streaming.batch_interval", 1000L, "a number of milliseconds")(config.getLong)
    if (interval <= 0) {
      throw new IllegalArgumentException(s"streaming.batch_interval must be a positive number of milliseconds, not $interval")
    }
    val stopGracefully = setting(config, "streaming.stopGracefully", true, "true or false")(config.getBoolean)
    val stopSparkContext = setting(config, "streaming.stopSparkContext", true, "true or false")(config.getBoolean)
    val ssc = new StreamingContext(sparkConf, Milliseconds(interval)) with ContextLike {
      override def stop(): Unit = stop(stopSparkContext, stopGracefully)
    }
    HadoopSettings.applyOrStop(config, ssc.sparkContext.hadoopConfiguration, () => ssc.stop(true, false))
    ssc
  }

  private def setting[T](config: Config, path: String, whenAbsent: T, what: String)(read: String => T): T =
    try if (config.hasPath(path)) read(path) else whenAbsent
    catch {
      case e: ConfigException.WrongType => throw new IllegalArgumentException(s"$path must be $what: ${e.getMessage}", e)
    }
}
