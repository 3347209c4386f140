package spark.jobserver.server.metrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.MapSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;

/**
 * {@code GET /metrics} (Prometheus text), {@code GET /metricz} (the same as JSON, the original's route)
 * and {@code GET /statusz} (the file {@code statusz.html} of the server's working directory, as in the
 * original); all three answer without authentication. Also times every HTTP request for
 * {@code http_server_requests}.
 */
public final class MetricsRoutes {
    private static final String STARTED = "jobserver.metrics.started";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ServerMetrics metrics;
    private final Path statusPage;

    /** @param statusPage what {@code GET /statusz} serves when it exists */
    public MetricsRoutes(ServerMetrics metrics, Path statusPage) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.statusPage = requireNonNull(statusPage, "statusPage is null");
    }

    public void register(RoutesConfig routes) {
        routes.before(ctx -> ctx.attribute(STARTED, System.nanoTime()));
        routes.after(this::timed);
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/metrics",
                ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.prometheusText()),
                doc -> doc.summary("The server's metrics, for Prometheus to scrape")
                        .description("See docs/observability.md for the metrics.")
                        .tag("metrics")
                        .publicUnless("access-control.public-metrics")
                        .response(200, "Prometheus text format 0.0.4", "text/plain", new StringSchema()));
        api.get(
                "/metricz",
                ctx -> ctx.contentType("application/json").result(PRETTY.writeValueAsString(metrics.json(PRETTY))),
                doc -> doc.summary("The same metrics as JSON, grouped by name (the original's route)")
                        .tag("metrics")
                        .publicUnless("access-control.public-metrics")
                        .response(
                                200,
                                "By metric name: each series' tags and statistics",
                                "application/json",
                                new MapSchema().additionalProperties(new ArraySchema().items(new ObjectSchema()))));
        api.get(
                "/statusz",
                ctx -> {
                    if (!Files.isRegularFile(statusPage)) {
                        throw ApiException.error(404, "No status page: " + statusPage.getFileName() + " is not there");
                    }
                    ctx.contentType("text/html; charset=utf-8").result(Files.readAllBytes(statusPage));
                },
                doc -> doc.summary("The file statusz.html of the server's working directory, as in the original")
                        .tag("metrics")
                        .publicUnless("access-control.public-metrics")
                        .response(200, "The page", "text/html", new StringSchema())
                        .error(404, "No status page: statusz.html is not there"));
    }

    private void timed(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        // The route template, never the path: ids in paths would make a series each.
        String route = endpoint == null ? "unmatched" : endpoint.path;
        metrics.httpRequest(
                ctx.method().name(), route, ctx.statusCode(), Duration.ofNanos(System.nanoTime() - started));
    }
}
