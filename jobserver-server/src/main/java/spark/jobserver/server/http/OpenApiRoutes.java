package spark.jobserver.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.swagger.v3.oas.models.media.StringSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code GET /openapi.json} (the spec generated from the routes) and the Swagger UI at {@code /swagger},
 * served from the swagger-ui webjar in the server's class path (no CDN). Both public.
 */
final class OpenApiRoutes {
    private static final String API_DOCS = "access-control.public-api-docs";
    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/";
    /** The UI's files that its page loads; nothing else of the class path is served. */
    private static final Map<String, String> ASSETS = Map.of(
            "swagger-ui.css", "text/css",
            "index.css", "text/css",
            "swagger-ui-bundle.js", "text/javascript",
            "swagger-ui-standalone-preset.js", "text/javascript",
            "favicon-32x32.png", "image/png",
            "favicon-16x16.png", "image/png");

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="UTF-8">
              <title>Spark Job Server API</title>
              <link rel="stylesheet" type="text/css" href="{base}swagger-ui.css">
              <link rel="stylesheet" type="text/css" href="{base}index.css">
              <link rel="icon" type="image/png" href="{base}favicon-32x32.png" sizes="32x32">
            </head>
            <body>
              <div id="swagger-ui"></div>
              <script src="{base}swagger-ui-bundle.js" charset="UTF-8"></script>
              <script src="{base}swagger-ui-standalone-preset.js" charset="UTF-8"></script>
              <script>
                window.onload = function () {
                  window.ui = SwaggerUIBundle({
                    url: "{spec}",
                    dom_id: "#swagger-ui",
                    deepLinking: true,
                    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
                    layout: "StandaloneLayout"
                  });
                };
              </script>
            </body>
            </html>
            """;

    private final String version = webjarVersion();
    private volatile OpenApi spec;

    /** Generates the spec once every route is registered. */
    void describe(List<Endpoint> endpoints) {
        this.spec = OpenApi.of(endpoints);
    }

    void register(RoutesConfig routes) {
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/openapi.json",
                this::serveSpec,
                doc -> doc.summary("This description of the API (OpenAPI 3)")
                        .description("Generated from the server's routes; `servers` is the base URL the request"
                                + " was sent to.")
                        .tag("api")
                        .publicUnless(API_DOCS)
                        .objectResponse(200, "The OpenAPI 3 document"));
        api.get(
                "/swagger",
                this::servePage,
                doc -> doc.summary("Swagger UI over /openapi.json")
                        .tag("api")
                        .publicUnless(API_DOCS)
                        .response(200, "The UI's page", "text/html", new StringSchema()));
        api.get(
                "/swagger/{file}",
                this::serveAsset,
                doc -> doc.summary("A file of the Swagger UI (script, style sheet, icon)")
                        .tag("api")
                        .publicUnless(API_DOCS)
                        .pathParam("file", "one of the UI's files, e.g. `swagger-ui-bundle.js`")
                        .response(200, "The file", "text/css", new StringSchema())
                        .response(200, "The file", "text/javascript", new StringSchema())
                        .response(200, "The file", "image/png", new StringSchema().format("binary"))
                        .error(404, "Not a file of the UI"));
    }

    private void serveSpec(Context ctx) {
        String url = ctx.url();
        String base = url.substring(0, url.length() - ctx.path().length());
        ctx.contentType("application/json").result(spec.json(base));
    }

    private void servePage(Context ctx) {
        // Relative links, so that the page works behind a proxy that serves the API under a path of its own.
        boolean slash = ctx.path().endsWith("/");
        ctx.contentType("text/html; charset=utf-8")
                .result(PAGE.replace("{base}", slash ? "" : "swagger/")
                        .replace("{spec}", slash ? "../openapi.json" : "openapi.json"));
    }

    private void serveAsset(Context ctx) throws IOException {
        String file = ctx.pathParam("file");
        String type = ASSETS.get(file);
        InputStream in = type == null ? null : OpenApiRoutes.class.getResourceAsStream(WEBJAR + version + "/" + file);
        if (in == null) {
            throw ApiException.error(404, "The requested resource could not be found.");
        }
        try (in) {
            ctx.contentType(type).header("Cache-Control", "max-age=86400").result(in.readAllBytes());
        }
    }

    private static String webjarVersion() {
        try (InputStream in =
                OpenApiRoutes.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("The swagger-ui webjar is not in the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
