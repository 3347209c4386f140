package spark.jobserver.server.auth;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which permission each route needs, as a table keyed by the first path segment and the HTTP method
 * (after {@code _method} override): GETs read, POSTs start or upload, DELETEs delete, PUTs reset, as in
 * the reference. A new resource gets its row here; until it has one, only ALLOW_ALL users reach it.
 */
final class RoutePermissions {
    /**
     * Paths anyone may call: health, the UI, metrics, the API's description, and the drivers' own routes
     * (they prove their context's secret).
     */
    private static final Set<String> PUBLIC_EXACT =
            Set.of("/", "/healthz", "/metrics", "/metricz", "/statusz", "/favicon.ico", "/openapi.json", "/swagger");

    private static final Set<String> PUBLIC_PREFIXES = Set.of("/html/", "/driver/", "/swagger/");

    private static final Map<String, Map<String, Permission>> TABLE = Map.of(
            "binaries",
                    Map.of(
                            "GET", Permission.BINARIES_READ,
                            "POST", Permission.BINARIES_UPLOAD,
                            "DELETE", Permission.BINARIES_DELETE),
            "contexts",
                    Map.of(
                            "GET", Permission.CONTEXTS_READ,
                            "POST", Permission.CONTEXTS_START,
                            "DELETE", Permission.CONTEXTS_DELETE,
                            "PUT", Permission.CONTEXTS_RESET),
            "jobs",
                    Map.of(
                            "GET", Permission.JOBS_READ,
                            "POST", Permission.JOBS_START,
                            "DELETE", Permission.JOBS_DELETE),
            "data",
                    Map.of(
                            "GET", Permission.DATA_READ,
                            "POST", Permission.DATA_UPLOAD,
                            "DELETE", Permission.DATA_DELETE,
                            "PUT", Permission.DATA_RESET),
            // the stream of job and context changes: what reading the jobs shows, as it happens
            "events", Map.of("GET", Permission.JOBS_READ));

    private RoutePermissions() {}

    static boolean isPublic(String path) {
        return PUBLIC_EXACT.contains(path) || PUBLIC_PREFIXES.stream().anyMatch(path::startsWith);
    }

    static boolean isDriverPath(String path) {
        return path.startsWith("/driver/");
    }

    /**
     * The permission a request needs; empty when it needs only an authenticated user (a method the
     * resource does not serve: routing answers 405).
     */
    static Optional<Permission> required(String method, String path) {
        String m = method.toUpperCase(Locale.ROOT);
        if (m.equals("HEAD")) {
            m = "GET";
        }
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String resource = slash < 0 ? trimmed : trimmed.substring(0, slash);
        Map<String, Permission> byMethod = TABLE.get(resource);
        if (byMethod == null) {
            return Optional.of(Permission.ALLOW_ALL);
        }
        return Optional.ofNullable(byMethod.get(m));
    }
}
