package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone master. It forwards the submitter's {@code SPARK_*} environment to the driver, names
 * drivers {@code driver-<time>-<n>}, and kills one through Spark's standalone client ({@code Client kill}
 * over the master's RPC port: the REST gateway spark-submit's {@code --kill} needs is off by default).
 */
final class StandaloneClusterManager implements ClusterManager {
    private static final Pattern DRIVER_ID = Pattern.compile("(driver-\\d{14}-\\d{4,})");

    private final String master;
    private final DriverCommand command;

    StandaloneClusterManager(String master, DriverCommand command) {
        this.master = requireNonNull(master, "master is null");
        this.command = requireNonNull(command, "command is null");
    }

    @Override
    public Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv) {
        return Map.of(); // the master forwards SPARK_* variables of the submission
    }

    @Override
    public Optional<String> driverId(String contextId, String submitOutput) {
        Matcher m = DRIVER_ID.matcher(submitOutput);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return Optional.ofNullable(last);
    }

    @Override
    public void kill(String driverId) throws IOException {
        List<String> cmd = new ArrayList<>(command.sparkJvm());
        cmd.addAll(List.of("org.apache.spark.deploy.Client", "kill", master, driverId));
        run(cmd);
    }

    static void run(List<String> cmd) throws IOException {
        Process kill = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!kill.waitFor(60, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IOException("killing the driver did not end within 60 s");
            }
            if (kill.exitValue() != 0) {
                throw new IOException("killing the driver failed with exit code " + kill.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while killing the driver", e);
        }
    }
}
