package spark.jobserver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.JobServer;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;
import spark.jobserver.server.http.Json;

/** What the API's description says of logins is what {@link RoutePermissions} does, route by route. */
class PublicRoutesTest {

    @Test
    void theSpecMarksPublicExactlyTheRoutesThatArePublic() throws Exception {
        var root = Files.createTempDirectory("public-routes");
        try (JobServer server = JobServer.create(ServerConfig.from(Configs.load(
                        null,
                        ConfigFactory.parseMap(Map.of(
                                "spark.jobserver.port",
                                0,
                                "spark.jobserver.bind-address",
                                "127.0.0.1",
                                "spark.jobserver.rootdir",
                                root.toString())))))
                .start()) {
            String body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/openapi.json"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            JsonNode paths = Json.read(body).get("paths");
            paths.fields().forEachRemaining(entry -> {
                String path = entry.getKey().replaceAll("\\{[^}]+}", "x");
                entry.getValue().fields().forEachRemaining(op -> {
                    String name = op.getKey().toUpperCase() + " " + entry.getKey();
                    JsonNode operation = op.getValue();
                    boolean alwaysPublic = operation.path("security").isArray()
                            && operation.get("security").isEmpty();
                    boolean publicByDefault =
                            operation.path("description").asText().contains("without login unless");
                    assertThat(RoutePermissions.publicPaths(false, false).test(path))
                            .as(name + ": public whatever the configuration")
                            .isEqualTo(alwaysPublic);
                    assertThat(RoutePermissions.publicPaths(true, true).test(path))
                            .as(name + ": public by default")
                            .isEqualTo(alwaysPublic || publicByDefault);
                    assertThat(operation.get("responses").has("401"))
                            .as(name + ": 401 listed when a login may be asked")
                            .isEqualTo(!alwaysPublic);
                });
            });
        }
    }
}
