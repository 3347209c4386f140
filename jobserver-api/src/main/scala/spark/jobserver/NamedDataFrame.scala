package spark.jobserver

import org.apache.spark.sql.DataFrame
import org.apache.spark.storage.StorageLevel

/** A DataFrame kept by name in a context; stored with a [[DataFramePersister]]. */
case class NamedDataFrame(df: DataFrame, forceComputation: Boolean, storageLevel: StorageLevel) extends NamedObject

/**
 * Keeps a [[NamedDataFrame]] alive: persists it at its storage level and computes it at once when
 * `forceComputation` is set. Destroying it unpersists it without waiting for the executors.
 */
class DataFramePersister extends NamedObjectPersister[NamedDataFrame] {

  override def persist(namedObj: NamedDataFrame, name: String): Unit = {
    val NamedDataFrame(df, forceComputation, storageLevel) = namedObj
    require(!forceComputation || storageLevel != StorageLevel.NONE, "forceComputation implies storageLevel != NONE")
    df.persist(storageLevel)
    if (forceComputation) df.count()
  }

  override def refresh(namedDF: NamedDataFrame): NamedDataFrame = {
    namedDF.df.persist(namedDF.storageLevel)
    namedDF
  }

  override def unpersist(namedObj: NamedDataFrame): Unit = namedObj.df.unpersist(blocking = false)
}
