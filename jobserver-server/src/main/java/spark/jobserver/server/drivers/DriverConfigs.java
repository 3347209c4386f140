package spark.jobserver.server.drivers;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * What a driver is told when it asks ({@link DriverLaunch#CONTEXT_CONFIG_PATH}): who it is, where the
 * server is, its limits, the context's settings and the server configuration jobs fall back to (without
 * secrets). Pure: the same inputs give the same text. Held in memory by the server, never written to a
 * file or a command line, since the context's settings may hold secrets.
 */
public final class DriverConfigs {
    private DriverConfigs() {}

    /** The driver configuration of {@code spec} as HOCON text. */
    public static String render(ServerConfig config, DriverLauncher.Spec spec) {
        String http = spec.serverHttpUrl();
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("context-id", spec.contextId());
        driver.put("context-name", spec.contextName());
        driver.put("server-http-url", http);
        driver.put("server-ws-url", http.replaceFirst("^http", "ws") + DriverLaunch.WEBSOCKET_PATH);
        driver.put("max-jobs", config.maxJobsPerContext());
        driver.put("heartbeat-interval", config.driver().heartbeatInterval().toMillis() + "ms");
        driver.put("progress-interval", config.driver().progressInterval().toMillis() + "ms");
        driver.put(
                "reconnect-grace-period", config.driver().reconnectGracePeriod().toMillis() + "ms");
        driver.put(
                "named-object-creation-timeout",
                config.namedObjectCreationTimeout().toMillis() + "ms");
        // relative: in the driver's working directory, on whatever host it runs
        driver.put("binary-cache-dir", "binaries");
        List<Map<String, String>> binaries = new ArrayList<>();
        for (BinaryRef ref : spec.binaries()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("name", ref.name());
            if (ref.sha256() != null) {
                entry.put("sha256", ref.sha256());
            } else {
                entry.put("uri", ref.uri());
            }
            entry.put("kind", ref.kind().name());
            binaries.add(entry);
        }
        driver.put("context-binaries", binaries);
        Config rendered = ConfigFactory.parseMap(Map.of("driver", driver))
                .withValue("context-settings", spec.settings().root())
                .withValue(
                        "job-config-fallback",
                        Configs.withoutSecrets(config.raw()).root());
        return rendered.root().render(ConfigRenderOptions.concise().setFormatted(true));
    }
}
