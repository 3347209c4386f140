package spark.jobserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The whole server's {@code /openapi.json}: valid for swagger-parser (what client generators read), and
 * listing the API's routes. A route added to the server must be documented (the server does not start
 * otherwise) and added to {@link #OPERATIONS}; the drivers' routes stay out.
 */
class ApiSurfaceTest {
    /** The API, one line per operation. */
    private static final List<String> OPERATIONS = List.of(
            "GET /binaries",
            "GET /binaries/{appName}",
            "POST /binaries/{appName}",
            "DELETE /binaries/{appName}",
            "GET /contexts",
            "PUT /contexts",
            "GET /contexts/{name}",
            "POST /contexts/{name}",
            "DELETE /contexts/{name}",
            "GET /contexts/{name}/objects",
            "GET /contexts/{name}/logs",
            "GET /data",
            "PUT /data",
            "POST /data/{prefix}",
            "DELETE /data/{path}",
            "GET /healthz",
            "GET /jobs",
            "POST /jobs",
            "GET /jobs/{id}",
            "DELETE /jobs/{id}",
            "GET /jobs/{id}/config",
            "GET /jobs/{id}/progress",
            "GET /jobs/{id}/logs",
            "GET /events",
            "GET /metricz",
            "GET /metrics",
            "GET /statusz",
            "GET /openapi.json",
            "GET /swagger",
            "GET /swagger/{file}");

    private static JobServer server;
    private static Path root;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("api-surface");
        server = JobServer.create(ServerConfig.from(Configs.load(
                        null,
                        ConfigFactory.parseMap(Map.of(
                                "spark.jobserver.port",
                                0,
                                "spark.jobserver.bind-address",
                                "127.0.0.1",
                                "spark.jobserver.rootdir",
                                root.toString())))))
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String spec() throws Exception {
        HttpResponse<String> reply = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/openapi.json"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
        return reply.body();
    }

    @Test
    void theSpecIsValidAndListsEveryRouteOfTheApi() throws Exception {
        String spec = spec();
        // for a look without starting a server (client generators, reviews): target/openapi.json
        Files.writeString(Path.of("target", "openapi.json"), spec);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(spec, null, options);
        assertThat(parsed.getMessages())
                .as("swagger-parser's errors and warnings")
                .isEmpty();
        assertThat(parsed.getOpenAPI()).isNotNull();

        List<String> operations = new ArrayList<>();
        parsed.getOpenAPI()
                .getPaths()
                .forEach((path, item) ->
                        item.readOperationsMap().forEach((method, op) -> operations.add(method + " " + path)));
        assertThat(operations).containsExactlyInAnyOrderElementsOf(OPERATIONS);
        assertThat(operations).noneMatch(op -> op.contains("/driver/"));
    }

    /** The operations that take an Idempotency-Key (docs/retries.md), with the answers that go with it. */
    @Test
    void idempotentOperationsDescribeTheirKeyAndItsAnswers() throws Exception {
        var spec = new OpenAPIV3Parser()
                .readContents(spec(), null, new ParseOptions())
                .getOpenAPI();
        List<String> idempotent = new ArrayList<>();
        spec.getPaths()
                .forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
                    if (op.getParameters().stream()
                            .anyMatch(p ->
                                    p.getIn().equals("header") && p.getName().equals("Idempotency-Key"))) {
                        idempotent.add(method + " " + path);
                        assertThat(op.getResponses()).as(method + " " + path).containsKeys("400", "409", "422");
                        assertThat(op.getResponses().get("409").getHeaders())
                                .containsKeys("Retry-After", "Idempotent-Replayed");
                        // what the route answers may be a replay; the access gate's 401/403 never are
                        op.getResponses().forEach((status, response) -> {
                            if (status.startsWith("2") || status.equals("404")) {
                                assertThat(response.getHeaders())
                                        .as(method + " " + path + " " + status)
                                        .containsKey("Idempotent-Replayed");
                            }
                        });
                    }
                }));
        assertThat(idempotent)
                .containsExactlyInAnyOrder("POST /jobs", "POST /contexts/{name}", "POST /binaries/{appName}");
    }

    @Test
    void everyOperationIsDescribed() throws Exception {
        var spec = new OpenAPIV3Parser()
                .readContents(spec(), null, new ParseOptions())
                .getOpenAPI();
        Pattern pathParam = Pattern.compile("\\{([^}]+)}");
        spec.getPaths().forEach((path, item) -> {
            for (Map.Entry<PathItem.HttpMethod, Operation> e :
                    item.readOperationsMap().entrySet()) {
                Operation op = e.getValue();
                String name = e.getKey() + " " + path;
                assertThat(op.getSummary()).as(name).isNotBlank();
                assertThat(op.getResponses()).as(name).isNotEmpty();
                assertThat(op.getResponses().keySet())
                        .as(name + ": a success status")
                        .anyMatch(s -> s.startsWith("2"));
                List<String> declared = op.getParameters().stream()
                        .filter(p -> p.getIn().equals("path"))
                        .map(p -> p.getName())
                        .toList();
                Matcher m = pathParam.matcher(path);
                List<String> inPath = new ArrayList<>();
                while (m.find()) {
                    inPath.add(m.group(1));
                }
                assertThat(declared).as(name + ": its path parameters").containsExactlyInAnyOrderElementsOf(inPath);
                assertThat(op.getParameters())
                        .as(name)
                        .anyMatch(p -> p.getName().equals("_method"));
            }
        });
        assertThat(spec.getComponents().getSecuritySchemes()).containsKeys("basicAuth", "bearerAuth");
    }
}
