package spark.jobserver

import java.io.InputStream
import com.typesafe.config.Config
import org.apache.spark.SparkContext

/**
 * Returns its result as a `java.io.InputStream`, which the server streams to the client as it is read:
 * exactly `stream.size` bytes (default 1024; less than 2 fails validation) forming one JSON string,
 * `"0123456789012…"`. The bytes are made as they are read, never held in memory at once. Legacy style.
 */
object StreamResultJob extends SparkJob {
  private val SizeKey = "stream.size"

  override def validate(sc: SparkContext, config: Config): SparkJobValidation =
    if (config.hasPath(SizeKey) && config.getLong(SizeKey) < 2) SparkJobInvalid(s"$SizeKey must be at least 2")
    else SparkJobValid

  override def runJob(sc: SparkContext, jobConfig: Config): Any =
    new DigitString(if (jobConfig.hasPath(SizeKey)) jobConfig.getLong(SizeKey) else 1024L)

  /** A JSON string of digits, `size` bytes including its quotes, made on demand. */
  final class DigitString(size: Long) extends InputStream {
    private var position = 0L

    override def read(): Int =
      if (position >= size) {
        -1
      } else {
        val i = position
        position += 1
        if (i == 0 || i == size - 1) '"' else '0' + ((i - 1) % 10).toInt
      }

    override def read(b: Array[Byte], off: Int, len: Int): Int =
      if (position >= size) {
        -1
      } else {
        val n = math.min(len.toLong, size - position).toInt
        for (k <- 0 until n) b(off + k) = read().toByte
        n
      }
  }
}
