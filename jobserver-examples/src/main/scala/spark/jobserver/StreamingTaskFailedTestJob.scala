package spark.jobserver

import scala.collection.mutable
import com.typesafe.config.Config
import org.apache.spark.streaming.StreamingContext

/**
 * A streaming job whose first batch fails (a division by zero in a task): the job ends in `ERROR` with
 * the batch's `ArithmeticException`, and its context stops, since streaming contexts stop after a failed
 * job unless `stop-context-on-job-error = false`. Legacy streaming style; reads no configuration.
 */
object StreamingTaskFailedTestJob extends SparkStreamingJob {

  override def validate(ssc: StreamingContext, config: Config): SparkJobValidation = SparkJobValid

  override def runJob(ssc: StreamingContext, config: Config): Any = {
    val queue = mutable.Queue(ssc.sparkContext.parallelize(Seq("123", "test", "test2")))
    ssc.queueStream(queue)
      .flatMap(line => Seq(line.split(" ")(1 / 0)))
      .countByValue()
      .foreachRDD(counts => counts.count())
    ssc.start()
    ssc.awaitTermination()
    "stopped"
  }
}
