package spark.jobserver

import org.apache.spark.broadcast.Broadcast

/** A broadcast variable kept by name in a context; stored with a [[BroadcastPersister]]. */
case class NamedBroadcast[T](broadcast: Broadcast[T]) extends NamedObject

/**
 * Keeps a [[NamedBroadcast]]: a broadcast variable needs nothing to stay alive, so storing it does
 * nothing; destroying it removes its copies from the executors without waiting for them.
 */
class BroadcastPersister[T] extends NamedObjectPersister[NamedBroadcast[T]] {

  override def persist(namedObj: NamedBroadcast[T], name: String): Unit = ()

  override def refresh(namedBroadcast: NamedBroadcast[T]): NamedBroadcast[T] = namedBroadcast

  override def unpersist(namedObj: NamedBroadcast[T]): Unit = namedObj.broadcast.unpersist(blocking = false)
}
