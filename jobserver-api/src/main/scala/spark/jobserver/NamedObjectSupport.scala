package spark.jobserver

import scala.concurrent.duration.FiniteDuration

/**
 * A value kept by name in a context so that later jobs of the same context can use it: an RDD
 * ([[NamedRDD]]), a DataFrame ([[NamedDataFrame]]), a broadcast variable ([[NamedBroadcast]]), or a
 * wrapper of the job's own.
 */
trait NamedObject

/**
 * Keeps one kind of [[NamedObject]] alive in its context and releases it. Jobs declare the persister
 * they use as an implicit value, e.g. `implicit def rddPersister: RDDPersister[Int] = new RDDPersister[Int]`.
 */
abstract class NamedObjectPersister[O <: NamedObject] {

  /** Called once when the object is stored under `name`: persists it, computes it if it should. */
  def persist(namedObj: O, name: String): Unit

  /** Keeps the object from being cleaned up (named objects here never expire, so the server never calls it); returns it. */
  def refresh(namedObject: O): O

  /** Called when the object is destroyed; must not block on the cluster. */
  def unpersist(namedObject: O): Unit
}

/**
 * The named objects of one context, shared by all its jobs: safe, concurrent creation and access by
 * name. Two jobs creating an object of the same name at once create it once; the second waits for the
 * first and gets the same object. Objects stay until they are forgotten or destroyed, or the context
 * stops.
 *
 * The timeouts are Scala `FiniteDuration`s (`60.seconds`), as in the original.
 */
trait NamedObjects {

  /** How long a caller waits for another job's creation of an object, unless it says otherwise: the
   * server's `named-object-creation-timeout`. */
  def defaultTimeout: FiniteDuration

  /**
   * The object stored under `name`, or the one `objGen` makes (in the caller's thread), persisted by
   * `persister` and stored.
   *
   * @throws java.util.concurrent.TimeoutException when another job's creation of the object takes
   *         longer than `timeout`
   */
  def getOrElseCreate[O <: NamedObject](name: String, objGen: => O)(
      implicit timeout: FiniteDuration = defaultTimeout,
      persister: NamedObjectPersister[O]): O

  /** The object stored under `name`, if any; waits up to `timeout` for a creation in progress. */
  def get[O <: NamedObject](name: String)(implicit timeout: FiniteDuration = defaultTimeout): Option[O]

  /** Replaces the object stored under `name` (the old one is forgotten, not unpersisted) by the one `objGen` makes. */
  def update[O <: NamedObject](name: String, objGen: => O)(
      implicit timeout: FiniteDuration = defaultTimeout,
      persister: NamedObjectPersister[O]): O

  /** Removes the name; the object itself is left as it is (use `destroy` to unpersist it). */
  def forget(name: String): Unit

  /** Removes the name and asks `persister` to unpersist the object. */
  def destroy[O <: NamedObject](objOfType: O, name: String)(implicit persister: NamedObjectPersister[O]): Unit

  /** The names stored at the moment of the call. */
  def getNames(): Iterable[String]
}

/**
 * A marker kept so that jobs written for the original project compile; it adds nothing. Every legacy
 * job has `namedObjects`, and jobs of the other styles have `runtime.namedObjects`.
 */
trait NamedObjectSupport
