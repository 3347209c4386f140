package spark.jobserver

import java.io.InputStream
import java.nio.charset.StandardCharsets
import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Computes a large result with Spark and streams it: a JSON array of `result.megabytes` MiB (default 50;
 * less than 1 fails validation) of 100-byte strings, built on the cluster partition by partition and
 * fetched with `toLocalIterator`, so that the driver holds one partition (about 4 MiB) at a time and the
 * server relays the bytes without keeping them in memory. Legacy style.
 */
object LargeResultJob extends SparkJob {
  private val SizeKey = "result.megabytes"

  /** About 4 MiB per partition: few Spark jobs for toLocalIterator, little memory on the driver. */
  private val RowsPerPartition = 40000L

  override def validate(sc: SparkContext, config: Config): SparkJobValidation =
    if (config.hasPath(SizeKey) && config.getInt(SizeKey) < 1) SparkJobInvalid(s"$SizeKey must be at least 1")
    else SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any = {
    val megabytes = if (jobConfig.hasPath(SizeKey)) jobConfig.getInt(SizeKey).toLong else 50L
    // Rows plus the commas between them fill the size: RowBytes + 1 bytes per row.
    val rows = megabytes * 1024 * 1024 / (LargeResultRows.RowBytes + 1)
    val perPartition = RowsPerPartition
    val partitions = ((rows + perPartition - 1) / perPartition).toInt
    val lines = sc.parallelize(0 until partitions, partitions).flatMap { p =>
      (p * perPartition until math.min(rows, (p + 1) * perPartition)).iterator.map(LargeResultRows.row)
    }
    new JsonArrayStream(lines.toLocalIterator)
  }

  /** `[a,b,…]` over an iterator of JSON values, one value in memory at a time. */
  final class JsonArrayStream(values: Iterator[String]) extends InputStream {
    private var current: Array[Byte] = Array('['.toByte)
    private var position = 0
    private var first = true
    private var closed = false

    override def read(): Int = {
      val one = new Array[Byte](1)
      if (read(one, 0, 1) < 0) -1 else one(0) & 0xff
    }

    override def read(b: Array[Byte], off: Int, len: Int): Int =
      if (len == 0) {
        0
      } else if (!fill()) {
        -1
      } else {
        val n = math.min(len, current.length - position)
        System.arraycopy(current, position, b, off, n)
        position += n
        n
      }

    /** Makes the next bytes available; false at the end. */
    private def fill(): Boolean = {
      while (position == current.length && !closed) {
        if (values.hasNext) {
          current = ((if (first) "" else ",") + values.next()).getBytes(StandardCharsets.UTF_8)
          first = false
        } else {
          current = Array(']'.toByte)
          closed = true
        }
        position = 0
      }
      position < current.length
    }
  }
}

/** The rows of [[LargeResultJob]], made on the executors. */
private[jobserver] object LargeResultRows {

  /** A row: a 100-byte JSON string. */
  val RowBytes = 100

  private val Filler = "x" * RowBytes

  /** Row `i`: `"row 000000000042 xxx…"`, 100 bytes with its quotes. */
  def row(i: Long): String = {
    val start = "\"row " + f"$i%012d" + " "
    start + Filler.substring(0, RowBytes - start.length - 1) + "\""
  }
}
