package spark.jobserver.server.drivers;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import spark.jobserver.server.config.ServerConfig;

/** Driver settings for the command tests: what varies between them, the defaults for the rest. */
final class TestDrivers {
    private TestDrivers() {}

    static ServerConfig.Driver settings(
            String jar, String classpath, String javaHome, List<String> jvmOptions, boolean classDataSharing) {
        return new ServerConfig.Driver(
                jar,
                classpath,
                javaHome,
                jvmOptions,
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                Duration.ofSeconds(60),
                64L << 20,
                classDataSharing,
                "",
                Map.of());
    }
}
