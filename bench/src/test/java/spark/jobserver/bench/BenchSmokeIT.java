package spark.jobserver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/run --quick} on the jars the build has just made ({@code BENCH_SKIP_BUILD=1}): every
 * scenario runs against a real server and the baselines, and the table and the chart come out. The
 * figures of a quick run mean nothing and are not checked; that the harness works is.
 */
class BenchSmokeIT {

    @Test
    void quickRunPrintsEveryScenarioAndDrawsTheChart(@TempDir Path dir) throws Exception {
        Path home = Path.of(System.getProperty("bench.home")).toAbsolutePath().normalize();
        Path chart = dir.resolve("chart.png");
        Path out = dir.resolve("bench.out");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bench/run").toString(), "--quick")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().put("BENCH_SKIP_BUILD", "1");
        builder.environment().put("BENCH_CHART", chart.toString());
        Process bench = builder.start();
        if (!bench.waitFor(10, TimeUnit.MINUTES)) {
            bench.descendants().forEach(ProcessHandle::destroyForcibly);
            bench.destroyForcibly();
            bench.waitFor();
        }
        String output = Files.readString(out);

        assertThat(bench.exitValue()).as(output).isZero();
        assertThat(output)
                .contains(
                        "figure",
                        "ours",
                        "baseline",
                        "ratio",
                        "target",
                        "result",
                        "1. warm sync job p50 (ms)",
                        "1. warm sync job p99 (ms)",
                        "2. jobs/s with 1 client(s)",
                        "2. jobs/s with 8 client(s)",
                        "CPU ms per job in scenario 2",
                        "3. context creation (s)",
                        "4. ad-hoc job end to end (s)",
                        "4. spark-submit style / warm job (x)",
                        "5. server RSS idle (MB)",
                        "5. server RSS under load (MB)",
                        "5. context driver RSS (MB)",
                        "6. GET /jobs?limit=50 p99 (ms)",
                        "6. GET /jobs/<id> p99 (ms)",
                        "7. 200 pollers p99 (ms)");
        assertThat(output).doesNotContain("errors)");
        byte[] png = Files.readAllBytes(chart);
        assertThat(png).hasSizeGreaterThan(1000);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
