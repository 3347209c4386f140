package spark.jobserver;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;
import spark.jobserver.api.JobEnvironment;
import spark.jobserver.japi.JSparkJob;

/**
 * A two-stage job whose first stage waits for a file: a job to watch while it runs (progress tests).
 * Counts the numbers {@code 0 until numbers} by their remainder modulo 10: {@code partitions} map tasks,
 * each of which waits until the file {@code gate} exists (at most 10 minutes), then a shuffle into
 * {@code reducers} reduce tasks. Returns the number of numbers counted.
 *
 * <p>Reads {@code gate} (required, a path on the driver's host; local masters only), {@code partitions}
 * (default 4), {@code reducers} (default 2) and {@code numbers} (default 1000).
 */
public final class WaitingShuffleJob implements JSparkJob<Long> {
    private static final long MAX_WAIT_MILLIS = 10 * 60 * 1000;

    @Override
    public Long run(JavaSparkContext sc, JobEnvironment runtime, Config data) {
        String gate = data.getString("gate");
        int partitions = data.hasPath("partitions") ? data.getInt("partitions") : 4;
        int reducers = data.hasPath("reducers") ? data.getInt("reducers") : 2;
        int numbers = data.hasPath("numbers") ? data.getInt("numbers") : 1000;
        List<Integer> input = IntStream.range(0, numbers).boxed().collect(Collectors.toList());
        List<Tuple2<Integer, Long>> counts = sc.parallelize(input, partitions)
                .mapToPair(n -> {
                    awaitFile(gate);
                    return new Tuple2<>(n % 10, 1L);
                })
                .reduceByKey(Long::sum, reducers)
                .collect();
        return counts.stream().mapToLong(Tuple2::_2).sum();
    }

    @Override
    public Config verify(JavaSparkContext sc, JobEnvironment runtime, Config config) {
        if (!config.hasPath("gate")) {
            throw new IllegalArgumentException("gate (the file the job waits for) is missing");
        }
        return config;
    }

    private static void awaitFile(String gate) throws InterruptedException {
        long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
        while (!Files.exists(Path.of(gate)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
    }
}
