package spark.jobserver.server.drivers;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * YARN. The driver's environment travels as {@code spark.yarn.appMasterEnv.*}; the driver is known by its
 * application id ({@code application_<time>_<n>}). Killing it through YARN is not built yet.
 */
final class YarnClusterManager implements ClusterManager {
    private static final Pattern APPLICATION_ID = Pattern.compile("(application_\\d+_\\d+)");

    @Override
    public Map<String, String> submissionSettings(String contextId, Map<String, String> driverEnv) {
        Map<String, String> settings = new LinkedHashMap<>();
        driverEnv.forEach((k, v) -> settings.put("spark.yarn.appMasterEnv." + k, v));
        return settings;
    }

    @Override
    public Optional<String> driverId(String contextId, String submitOutput) {
        Matcher m = APPLICATION_ID.matcher(submitOutput);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    @Override
    public void kill(String driverId) throws IOException {
        throw new IOException("killing a YARN application (" + driverId + ") is not built yet");
    }
}
