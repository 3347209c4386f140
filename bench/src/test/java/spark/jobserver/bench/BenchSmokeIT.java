package spark.jobserver.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness in its quick mode ({@code bench/run --quick}), as bench/run starts it: every
 * scenario runs against a real server and the baselines, and the table and the chart come out. The
 * figures of a quick run mean nothing and are not checked; that the harness works is.
 */
class BenchSmokeIT {

    @Test
    void quickRunPrintsEveryScenarioAndDrawsTheChart(@TempDir Path dir) throws Exception {
        Path home = Path.of(System.getProperty("bench.home")).toAbsolutePath().normalize();
        String version = System.getProperty("bench.version");
        Path serverJar = home.resolve("jobserver-server/target/jobserver-server-" + version + ".jar");
        Path driverJar = home.resolve("jobserver-driver/target/jobserver-driver-" + version + ".jar");
        Path driverClasspathFile = home.resolve("jobserver-driver/target/driver-classpath.txt");
        Path benchJar = home.resolve("bench/target/jobserver-bench-" + version + ".jar");
        Path chart = dir.resolve("chart.png");
        List<String> serverOptions = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("conf/server-jvm.options"))) {
            String option = line.replaceAll("#.*", "").trim();
            if (!option.isEmpty()) {
                serverOptions.add(option);
            }
        }
        List<String> cmd = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dbench.server.jvm-options=" + String.join(" ", serverOptions),
                "-Dbench.server.classpath=" + serverJar + File.pathSeparator
                        + Files.readString(home.resolve("jobserver-server/target/server-classpath.txt")).trim(),
                "-Dbench.driver.jar=" + driverJar,
                "-Dbench.driver.classpath-file=" + driverClasspathFile,
                "-Dbench.driver.classpath=" + driverJar + File.pathSeparator + Files.readString(driverClasspathFile).trim(),
                "-Dbench.examples.jar=" + home.resolve("jobserver-examples/target/jobserver-examples-" + version + ".jar"),
                "-Dbench.api.jar=" + home.resolve("jobserver-api/target/jobserver-api-" + version + ".jar"),
                "-Dbench.bench.jar=" + benchJar,
                "-Dbench.chart=" + chart,
                "-cp", benchJar + File.pathSeparator + Files.readString(home.resolve("bench/target/bench-classpath.txt")).trim(),
                Bench.class.getName(), "--quick");
        Path out = dir.resolve("bench.out");
        Process bench = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!bench.waitFor(10, TimeUnit.MINUTES)) {
            bench.descendants().forEach(ProcessHandle::destroyForcibly);
            bench.destroyForcibly();
        }
        String output = Files.readString(out);

        assertThat(bench.exitValue()).as(output).isZero();
        assertThat(output).contains("figure", "ours", "baseline", "ratio", "target", "result",
                "1. warm sync job p50 (ms)", "1. warm sync job p99 (ms)",
                "2. jobs/s with 1 client(s)", "2. jobs/s with 8 client(s)", "CPU ms per job in scenario 2",
                "3. context creation (s)", "4. ad-hoc job end to end (s)", "4. spark-submit style / warm job (x)",
                "5. server RSS idle (MB)", "5. server RSS under load (MB)", "5. context driver RSS (MB)",
                "6. GET /jobs?limit=50 p99 (ms)", "6. GET /jobs/<id> p99 (ms)", "7. 200 pollers p99 (ms)");
        assertThat(output).doesNotContain("errors)");
        byte[] png = Files.readAllBytes(chart);
        assertThat(png).hasSizeGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }
}
