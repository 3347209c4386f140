package spark.jobserver.server.auth;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which permission each route needs, as a table keyed by the first path segment and the HTTP method
 * (after {@code _method} override): GETs read, POSTs start or upload, DELETEs delete, PUTs reset, as in
 * the reference. A new resource gets its row here; until it has one, only ALLOW_ALL users reach it.
 */
final class RoutePermissions {
    /** Paths anyone may call: health, the UI, and the drivers' own routes (they prove their context's secret). */
    private static final Set<String> PUBLIC_EXACT = Set.of("/", "/healthz", "/favicon.ico");

    private static final Set<String> PUBLIC_PREFIXES = Set.of("/html/", "/driver/");

    /** Public unless configured otherwise ({@code access-control.public-metrics}). */
    private static final Set<String> METRICS = Set.of("/metrics", "/metricz", "/statusz");

    /** Public unless configured otherwise ({@code access-control.public-api-docs}). */
    private static final Set<String> API_DOCS = Set.of("/openapi.json", "/swagger");

    private static final String API_DOCS_PREFIX = "/swagger/";

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

    /** Whether anyone may call {@code path}, with metrics and the API's description public. */
    static boolean isPublic(String path) {
        return publicPaths(true, true).test(path);
    }

    /**
     * The paths anyone may call.
     *
     * @param metrics whether {@code /metrics}, {@code /metricz} and {@code /statusz} are among them
     * @param apiDocs whether {@code /openapi.json} and the Swagger UI are among them
     */
    static Predicate<String> publicPaths(boolean metrics, boolean apiDocs) {
        return path -> PUBLIC_EXACT.contains(path)
                || PUBLIC_PREFIXES.stream().anyMatch(path::startsWith)
                || (metrics && METRICS.contains(path))
                || (apiDocs && (API_DOCS.contains(path) || path.startsWith(API_DOCS_PREFIX)));
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
