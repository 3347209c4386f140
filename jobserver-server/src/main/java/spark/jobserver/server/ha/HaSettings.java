package spark.jobserver.server.ha;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.time.Duration;
import spark.jobserver.server.config.ConfigProblems;

/**
 * Several servers on one database, under {@code spark.jobserver.ha}; every problem is reported at once.
 *
 * @param enabled whether this server shares its database with others (PostgreSQL or MySQL only)
 * @param serverId this server's id among them; empty: its URL
 * @param url how the other servers and the drivers reach this server ({@code http(s)://host:port}); empty:
 *     the drivers' server URL
 * @param leaseInterval how often this server renews its lease, and looks for contexts whose server died
 * @param leaseTimeout how long a lease lasts unrenewed: a server silent this long is dead to the others,
 *     which then adopt its contexts
 */
public record HaSettings(boolean enabled, String serverId, String url, Duration leaseInterval, Duration leaseTimeout) {
    private static final String PREFIX = "spark.jobserver.ha.";

    public HaSettings {
        requireNonNull(serverId, "serverId is null");
        requireNonNull(url, "url is null");
        ConfigProblems.positive(leaseInterval);
        ConfigProblems.positive(leaseTimeout);
        if (leaseTimeout.compareTo(leaseInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("lease-timeout (" + leaseTimeout
                    + ") must be at least twice lease-interval (" + leaseInterval + ")");
        }
    }

    /** A server alone on its database. */
    public static HaSettings off() {
        return new HaSettings(false, "", "", Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    /**
     * Binds the server configuration; absent keys take the bundled defaults.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static HaSettings from(Config c) {
        ConfigProblems problems = new ConfigProblems(c);
        boolean enabled = problems.bindOptional(c, PREFIX + "enabled", Config::getBoolean, false);
        String id = problems.bindOptional(c, PREFIX + "server-id", Config::getString, "");
        String url = problems.bindOptional(c, PREFIX + "url", (cfg, key) -> httpUrl(cfg.getString(key)), "");
        Duration interval = problems.bindOptional(
                c, PREFIX + "lease-interval", (cfg, key) -> ConfigProblems.positive(cfg.getDuration(key)), null);
        Duration timeout = problems.bindOptional(
                c, PREFIX + "lease-timeout", (cfg, key) -> ConfigProblems.positive(cfg.getDuration(key)), null);
        problems.throwIfAny("Invalid high-availability configuration (spark.jobserver.ha)");
        try {
            return new HaSettings(
                    enabled,
                    id.trim(),
                    url,
                    interval == null ? Duration.ofSeconds(2) : interval,
                    timeout == null ? Duration.ofSeconds(10) : timeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid high-availability configuration (spark.jobserver.ha): " + e.getMessage(), e);
        }
    }

    private static String httpUrl(String value) {
        String url = value.trim().replaceAll("/+$", "");
        if (!url.isEmpty() && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("must be an http:// or https:// URL, was '" + value + "'");
        }
        return url;
    }
}
