package spark.jobserver

import org.apache.spark.sql.SparkSession
import org.apache.spark.streaming.StreamingContext

/**
 * A job of the new API on a `SparkSession`, run only by contexts of
 * `spark.jobserver.context.SessionContextFactory`. The jobs of one context share the session, so the
 * temporary views and cached tables one job registers are visible to the next.
 */
trait SparkSessionJob extends api.SparkJobBase {
  type C = SparkSession
}

/**
 * A legacy job on a Spark Streaming `StreamingContext`, run only by contexts of
 * `spark.jobserver.context.StreamingContextFactory`. It usually sets up its streams, calls
 * `ssc.start()` and then `ssc.awaitTermination()`, so it runs until its context stops. A streaming
 * context stops after a failed job unless `stop-context-on-job-error = false`, because a failed
 * streaming context cannot be started again.
 */
trait SparkStreamingJob extends SparkJobBase {
  type C = StreamingContext
}
