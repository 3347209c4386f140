package spark.jobserver

import org.apache.spark.SparkContext

/**
 * A running context as a [[spark.jobserver.context.SparkContextFactory]] makes it: a `SparkContext`
 * with `ContextLike` mixed in, a `StreamingContext`, a wrapper of a `SparkSession`... Jobs whose
 * context type the server does not know receive the `ContextLike` itself.
 */
trait ContextLike {

  /** The underlying SparkContext. */
  def sparkContext: SparkContext

  /** Stops the context and releases what it holds, the underlying SparkContext included. */
  def stop(): Unit
}
