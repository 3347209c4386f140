package spark.jobserver.server.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import spark.jobserver.server.config.ConfigProblems;

/**
 * Cross-origin requests from browsers, under {@code spark.jobserver.cors}: the original wrapped every
 * route in akka-http-cors with its defaults, which this reproduces (credentials allowed, methods GET, POST,
 * PUT, DELETE, HEAD, OPTIONS, every requested header allowed, preflights cached 30 minutes). Only the
 * allowed origins are configurable: {@code "*"} echoes any origin back, otherwise each entry is an origin
 * ({@code scheme://host[:port]}) compared without regard to case; an empty list turns CORS handling off.
 *
 * @param allowedOrigins lower-case origins, or {@code "*"} for any
 */
public record CorsSettings(List<String> allowedOrigins) {
    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS");
    static final Duration MAX_AGE = Duration.ofMinutes(30);
    private static final String KEY = "spark.jobserver.cors.allowed-origins";
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#\\s@]+");

    public CorsSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Whether CORS requests are answered at all (an empty list turns the handling off). */
    public boolean enabled() {
        return !allowedOrigins.isEmpty();
    }

    /** Whether a request's {@code Origin} header may read the reply. */
    boolean allows(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /**
     * The CORS settings; the default allows any origin.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static CorsSettings from(Config root) {
        ConfigProblems problems = new ConfigProblems(root);
        List<String> configured = problems.bindOptional(root, KEY, Config::getStringList, List.of("*"));
        List<String> origins = new ArrayList<>();
        for (String origin : configured) {
            String normal = origin.strip().toLowerCase(Locale.ROOT);
            if (normal.equals("*") || ORIGIN.matcher(normal).matches()) {
                origins.add(normal);
            } else {
                problems.add(
                        KEY,
                        KEY + ": '" + origin + "' is neither \"*\" nor an origin like https://ui.example.org:8443"
                                + " (scheme, host and port only)");
            }
        }
        problems.throwIfAny("Invalid CORS configuration (spark.jobserver.cors)");
        return new CorsSettings(origins);
    }
}
