package spark.jobserver.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The spec is generated from the routes Javalin holds: every documented route in it, none other, none undocumented. */
class OpenApiTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    record Thing(
            String name,

            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
            Integer size) {}

    private static HttpServer server(Consumer<RoutesConfig> feature) {
        return TestingHttpServer.of(feature);
    }

    private static HttpResponse<String> get(HttpServer server, String path) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSpecListsTheDocumentedRoutesAndNoneOther() throws Exception {
        try (HttpServer server = server(routes -> {
                    routes.before(ctx -> {}); // filters are no operations
                    routes.ws("/ws", ws -> {}); // nor are WebSockets
                    ApiRoutes.on(routes)
                            .get(
                                    "/things/{name}",
                                    ctx -> Replies.json(ctx, 200, new Thing(ctx.pathParam("name"), null)),
                                    doc -> doc.summary("A thing")
                                            .pathParam("name", "its name")
                                            .response(200, "the thing", Thing.class)
                                            .error(404, "no such thing"))
                            .get(
                                    "/open",
                                    ctx -> {},
                                    doc -> doc.summary("public").publicRoute())
                            .internal(HandlerType.POST, "/hidden", ctx -> {}, "for tests");
                })
                .start()) {
            HttpResponse<String> reply = get(server, "/openapi.json");
            assertThat(reply.statusCode()).isEqualTo(200);
            JsonNode spec = Json.read(reply.body());
            assertThat(spec.get("openapi").asText()).startsWith("3.0");
            assertThat(spec.get("servers").get(0).get("url").asText()).isEqualTo("http://127.0.0.1:" + server.port());
            List<String> operations = new ArrayList<>();
            spec.get("paths")
                    .fields()
                    .forEachRemaining(path -> path.getValue()
                            .fieldNames()
                            .forEachRemaining(method -> operations.add(method + " " + path.getKey())));
            assertThat(operations)
                    .containsExactlyInAnyOrder(
                            "get /things/{name}",
                            "get /open",
                            "get /openapi.json",
                            "get /swagger",
                            "get /swagger/{file}");
            JsonNode op = spec.at("/paths/~1things~1{name}/get");
            assertThat(op.get("operationId").asText()).isEqualTo("getThingsName");
            assertThat(op.at("/responses/200/content/application~1json/schema/$ref")
                            .asText())
                    .isEqualTo("#/components/schemas/Thing");
            assertThat(op.at("/responses/404/content/application~1json/schema/$ref")
                            .asText())
                    .isEqualTo("#/components/schemas/Error");
            // what every route shares: the method override, the access control's answers
            assertThat(op.get("parameters").findValuesAsText("name")).contains("name", "_method");
            assertThat(op.get("responses").fieldNames()).toIterable().contains("401", "403", "501", "503");
            // a record's components are required, unless left out when null
            assertThat(spec.at("/components/schemas/Thing/required").toString()).isEqualTo("[\"name\"]");
            // public routes ask no login; the API's description does, once access-control.public-api-docs is off
            assertThat(spec.at("/paths/~1open/get/security").toString()).isEqualTo("[]");
            assertThat(spec.at("/paths/~1open/get/responses").has("401")).isFalse();
            assertThat(spec.at("/paths/~1openapi.json/get/security").isMissingNode())
                    .isTrue();
            assertThat(spec.at("/paths/~1openapi.json/get/description").asText())
                    .contains("access-control.public-api-docs");
        }
    }

    @Test
    void aRouteWithoutDocumentationStopsTheServerFromStarting() {
        assertThatThrownBy(() -> server(routes -> routes.get("/undocumented", ctx -> {})))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("GET /undocumented");
    }

    @Test
    void swaggerUiIsServedFromTheBundledWebjar() throws Exception {
        try (HttpServer server = server(routes -> {}).start()) {
            HttpResponse<String> page = get(server, "/swagger");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(page.body()).contains("swagger/swagger-ui-bundle.js").contains("url: \"openapi.json\"");
            HttpResponse<String> bundle = get(server, "/swagger/swagger-ui-bundle.js");
            assertThat(bundle.statusCode()).isEqualTo(200);
            assertThat(bundle.body()).contains("SwaggerUIBundle");
            assertThat(get(server, "/swagger/index.html").statusCode()).isEqualTo(404);
            assertThat(get(server, "/swagger/..%2F..%2Fpom.properties").statusCode())
                    .isIn(400, 404);
        }
    }
}
