package spark.jobserver

import scala.collection.mutable
import com.typesafe.config.Config
import org.apache.spark.rdd.RDD
import org.apache.spark.streaming.StreamingContext

/**
 * A streaming job that runs until its context stops, then returns `"stopped"`. Legacy streaming style;
 * needs a context made by `spark.jobserver.context.StreamingContextFactory`.
 *
 * It feeds `streaming.test.job.maxIterations` (default 1) small batches of words into a queue stream,
 * each word taking `streaming.test.job.totalDelaySeconds` (default 0) to process, and prints each
 * batch's count of distinct words to the driver's log (`StreamingTestJob batch: 3 distinct words`)
 * unless `streaming.test.job.printCount = false`.
 */
object StreamingTestJob extends SparkStreamingJob {

  override def validate(ssc: StreamingContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(ssc: StreamingContext, config: Config): Any = {
    val maxIterations = intOr(config, "streaming.test.job.maxIterations", 1)
    val delayMillis = intOr(config, "streaming.test.job.totalDelaySeconds", 0) * 1000L
    val printCount = !config.hasPath("streaming.test.job.printCount") || config.getBoolean("streaming.test.job.printCount")

    val queue = mutable.Queue.empty[RDD[String]]
    ssc.queueStream(queue, oneAtATime = true)
      .flatMap { line =>
        Thread.sleep(delayMillis)
        line.split(" ").toSeq
      }
      .countByValue()
      .foreachRDD { counts =>
        val distinct = counts.count()
        if (printCount) println(s"StreamingTestJob batch: $distinct distinct words")
      }
    ssc.start()
    for (_ <- 0 until maxIterations) {
      val batch = ssc.sparkContext.parallelize(Seq("123", "test", "test2"), 1)
      // The stream takes its batches from the queue under the queue's lock.
      queue.synchronized {
        queue += batch
      }
      Thread.sleep(100)
    }
    ssc.awaitTermination()
    "stopped"
  }

  private def intOr(config: Config, path: String, whenAbsent: Int): Int =
    if (config.hasPath(path)) config.getInt(path) else whenAbsent
}
