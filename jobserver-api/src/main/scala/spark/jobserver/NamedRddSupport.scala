package spark.jobserver

import scala.concurrent.duration.FiniteDuration
import org.apache.spark.rdd.RDD
import org.apache.spark.storage.StorageLevel

/** An RDD kept by name in a context; stored with an [[RDDPersister]]. */
case class NamedRDD[T](rdd: RDD[T], forceComputation: Boolean, storageLevel: StorageLevel) extends NamedObject

/**
 * Keeps a [[NamedRDD]] alive: names the RDD after its key (so the Spark UI shows that name),
 * persists it at its current storage level if it has one, else at the `NamedRDD`'s, and computes it
 * at once when `forceComputation` is set. Destroying it unpersists it without waiting for the executors.
 */
class RDDPersister[T] extends NamedObjectPersister[NamedRDD[T]] {

  override def persist(namedObj: NamedRDD[T], name: String): Unit = {
    val NamedRDD(rdd, forceComputation, storageLevel) = namedObj
    require(!forceComputation || storageLevel != StorageLevel.NONE, "forceComputation implies storageLevel != NONE")
    rdd.setName(name)
    rdd.persist(if (rdd.getStorageLevel == StorageLevel.NONE) storageLevel else rdd.getStorageLevel)
    if (forceComputation) rdd.count()
  }

  override def refresh(namedRDD: NamedRDD[T]): NamedRDD[T] = {
    namedRDD.rdd.persist(namedRDD.rdd.getStorageLevel)
    namedRDD
  }

  override def unpersist(namedRDD: NamedRDD[T]): Unit = namedRDD.rdd.unpersist(blocking = false)
}

/**
 * Gives a legacy job `namedRdds`: the context's named objects seen as RDDs, with the original
 * project's defaults (computed when stored, kept `MEMORY_ONLY`). Each RDD is stored as a [[NamedRDD]]
 * with an [[RDDPersister]], so jobs using `namedObjects` see the same objects.
 */
trait NamedRddSupport extends NamedObjectSupport { self: SparkJobBase =>

  /** Named RDDs: create once, share between the jobs of a context. */
  trait _NamedRdds {

    /** How long a caller waits for another job's creation of an RDD, unless it says otherwise. */
    def defaultTimeout: FiniteDuration

    /** The level RDDs are kept at unless the caller says otherwise. */
    val defaultStorageLevel: StorageLevel = StorageLevel.MEMORY_ONLY

    /**
     * The RDD stored under `name`, or the one `rddGen` makes (in the caller's thread), persisted at
     * `storageLevel` and, with `forceComputation`, computed. Concurrent callers create it once.
     *
     * @throws java.util.concurrent.TimeoutException when another job's creation takes longer than `timeout`
     */
    def getOrElseCreate[T](
        name: String,
        rddGen: => RDD[T],
        forceComputation: Boolean = true,
        storageLevel: StorageLevel = defaultStorageLevel)(implicit timeout: FiniteDuration = defaultTimeout): RDD[T]

    /** The RDD stored under `name`; `None` when there is none or the name holds something else. */
    def get[T](name: String)(implicit timeout: FiniteDuration = defaultTimeout): Option[RDD[T]]

    /** Stores the RDD `rddGen` makes under `name`, replacing (not unpersisting) the one stored before. */
    def update[T](
        name: String,
        rddGen: => RDD[T],
        forceComputation: Boolean = true,
        storageLevel: StorageLevel = defaultStorageLevel)(implicit timeout: FiniteDuration = defaultTimeout): RDD[T]

    /** Unpersists the RDD stored under `name` (without waiting), if it holds one, and forgets the name. */
    def destroy(name: String): Unit

    /** The names stored in the context, of RDDs and of any other named objects. */
    def getNames(): Iterable[String]
  }

  /** The context's named RDDs; usable from `validate` on. */
  def namedRdds: _NamedRdds = new _NamedRdds {
    private def objects: NamedObjects = {
      if (namedObjects == null) {
        throw new IllegalStateException("namedRdds is usable once the job is validated: the server sets namedObjects then")
      }
      namedObjects
    }

    override def defaultTimeout: FiniteDuration = objects.defaultTimeout

    override def getOrElseCreate[T](
        name: String,
        rddGen: => RDD[T],
        forceComputation: Boolean = true,
        storageLevel: StorageLevel = defaultStorageLevel)(implicit timeout: FiniteDuration = defaultTimeout): RDD[T] =
      objects.getOrElseCreate(name, NamedRDD(rddGen, forceComputation, storageLevel))(timeout, new RDDPersister[T]).rdd

    override def get[T](name: String)(implicit timeout: FiniteDuration = defaultTimeout): Option[RDD[T]] =
      objects.get[NamedObject](name)(timeout).collect { case NamedRDD(rdd, _, _) => rdd.asInstanceOf[RDD[T]] }

    override def update[T](
        name: String,
        rddGen: => RDD[T],
        forceComputation: Boolean = true,
        storageLevel: StorageLevel = defaultStorageLevel)(implicit timeout: FiniteDuration = defaultTimeout): RDD[T] =
      objects.update(name, NamedRDD(rddGen, forceComputation, storageLevel))(timeout, new RDDPersister[T]).rdd

    override def destroy(name: String): Unit = {
      objects.get[NamedObject](name) match {
        case Some(NamedRDD(rdd, _, _)) => rdd.unpersist(blocking = false)
        case _                         =>
      }
      objects.forget(name)
    }

    override def getNames(): Iterable[String] = objects.getNames()
  }
}
