package spark.jobserver.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.Paths;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import spark.jobserver.common.Lazy;

/**
 * The OpenAPI 3 description of the server, generated from the routes Javalin has (each carrying its
 * {@link ApiDoc}), never written by hand. What every route shares is added here: the {@code _method}
 * override, the answers of the access control and of the method override, the security schemes, the
 * envelopes.
 */
public final class OpenApi {
    static final String BASIC = "basicAuth";
    static final String BEARER = "bearerAuth";

    /** Built when first asked for: the documentation of the routes, swagger-core's models and schemas. */
    private final Lazy<String> json;

    private OpenApi(List<Endpoint> endpoints) {
        List<Endpoint> routes = List.copyOf(endpoints);
        this.json = Lazy.of(() -> {
            try {
                return io.swagger.v3.core.util.Json.mapper().writeValueAsString(spec(routes));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The spec of the given routes (HTTP ones; filters and WebSockets are not operations).
     *
     * @throws IllegalStateException naming every route that has no {@link ApiDoc}
     */
    public static OpenApi of(List<Endpoint> endpoints) {
        List<String> undocumented = undocumented(endpoints);
        if (!undocumented.isEmpty()) {
            throw new IllegalStateException("Routes without API documentation (register them through ApiRoutes): "
                    + String.join(", ", undocumented));
        }
        return new OpenApi(endpoints);
    }

    /** {@code "GET /path"} of each HTTP route without an {@link ApiDoc}. */
    static List<String> undocumented(List<Endpoint> endpoints) {
        return endpoints.stream()
                .filter(e -> e.method.isHttpMethod() && e.metadata(ApiRoutes.Documented.class) == null)
                .map(e -> e.method.name() + " " + e.path)
                .toList();
    }

    /** The spec as JSON, its {@code servers} the given base URL. */
    public String json(String baseUrl) {
        ObjectNode tree = (ObjectNode) Json.read(json.get());
        tree.putArray("servers").addObject().put("url", baseUrl);
        return Json.write(tree);
    }

    private static OpenAPI spec(List<Endpoint> endpoints) {
        Components components = new Components();
        components.addSecuritySchemes(
                BASIC,
                new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("basic")
                        .description("With the Shiro access control (access-control.provider = shiro): an ini file's"
                                + " users or LDAP. Not asked when the access control is off (the default)."));
        components.addSecuritySchemes(
                BEARER,
                new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .bearerFormat("JWT")
                        .description("With the Keycloak access control: an OpenID Connect access token (Basic"
                                + " credentials are accepted too and exchanged for one). Not asked when the access"
                                + " control is off (the default)."));
        Paths paths = new Paths();
        TreeSet<String> tags = new TreeSet<>();
        for (Endpoint endpoint : endpoints) {
            ApiRoutes.Documented documented = endpoint.metadata(ApiRoutes.Documented.class);
            if (!endpoint.method.isHttpMethod() || documented == null) {
                continue;
            }
            ApiDoc doc = documented.doc().get();
            if (doc.isInternal()) {
                continue;
            }
            doc.schemas().forEach(components::addSchemas);
            PathItem item = paths.computeIfAbsent(endpoint.path, p -> new PathItem());
            Operation operation = operation(endpoint, doc);
            tags.addAll(operation.getTags());
            item.operation(PathItem.HttpMethod.valueOf(endpoint.method.name()), operation);
        }
        // after the routes' schemas: the protocol's ErrorInfo record is described here (its message may be null)
        components.addSchemas(ApiDoc.ERROR_INFO, errorInfo());
        components.addSchemas(ApiDoc.ERROR, errorEnvelope());
        components.addSchemas(ApiDoc.SUCCESS, success());
        components.addSchemas(
                ApiDoc.ANY,
                new Schema<>()
                        .nullable(true)
                        .description("Any JSON value: what the job returned (see the job API), or an exception map"));
        components.setSchemas(new TreeMap<>(components.getSchemas()));
        OpenAPI spec = new OpenAPI()
                .info(new Info()
                        .title("Spark Job Server")
                        .version(version())
                        .description(
                                "The REST API of spark-jobserver 0.12 for Apache Spark 4 (see docs/compatibility.md"
                                        + " for the deliberate differences). Generated from the server's routes. Any request may"
                                        + " carry `_method=<METHOD>` to act as that method. Every error is the JSON envelope"
                                        + " `{\"status\": \"ERROR\", \"result\": <message>}` (or, for an exception,"
                                        + " `\"result\": {\"message\", \"errorClass\", \"stack\"}` with a label as status).")
                        .license(new License().name("Apache 2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
                .components(components)
                .paths(sorted(paths))
                .security(List.of(
                        new SecurityRequirement(),
                        new SecurityRequirement().addList(BASIC),
                        new SecurityRequirement().addList(BEARER)));
        tags.forEach(t -> spec.addTagsItem(new Tag().name(t)));
        return spec;
    }

    private static Paths sorted(Paths paths) {
        Paths sorted = new Paths();
        new TreeMap<>(paths).forEach(sorted::addPathItem);
        return sorted;
    }

    private static Operation operation(Endpoint endpoint, ApiDoc doc) {
        String method = endpoint.method.name();
        Operation operation = new Operation()
                .operationId(operationId(endpoint.method, endpoint.path))
                .summary(doc.summary())
                .description(doc.description())
                .addTagsItem(doc.tag() != null ? doc.tag() : firstSegment(endpoint.path));
        doc.parameters().forEach(operation::addParametersItem);
        operation.addParametersItem(new QueryParameter()
                .name("_method")
                .description("The method override: any request carrying `_method=" + method + "` acts as " + method
                        + " (e.g. `POST " + endpoint.path + "?_method=" + method + "`), for clients that can send"
                        + " only some methods. A value that names no HTTP method answers 501.")
                .required(false)
                .schema(new StringSchema()._enum(List.of(method))));
        operation.requestBody(doc.body());
        ApiResponses responses = new ApiResponses();
        doc.responses().forEach(responses::addApiResponse);
        ApiDoc common = ApiDoc.of();
        common.error(400, "The request target does not decode, or holds control characters or an encoded NUL");
        common.error(501, "`_method` names no HTTP method");
        if (doc.body() != null) {
            common.error(413, "The body is larger than `akka.http.server.parsing.max-content-length`");
        }
        if (doc.isPublic()) {
            operation.security(List.of());
        } else {
            String when = doc.publicUnless() == null ? "" : " (only with `" + doc.publicUnless() + " = off`)";
            if (!when.isEmpty()) {
                operation.description(join(
                        operation.getDescription(),
                        "Served without login unless `" + doc.publicUnless() + "` is off; then it needs a user"
                                + " allowed everything."));
            }
            common.error(401, "Authentication required or failed (Shiro or Keycloak access control)" + when)
                    .error(403, "The user lacks the route's permission (see docs/security.md)" + when)
                    .error(
                            503,
                            "Too many authentications in progress, or the identity provider does not answer" + when);
        }
        common.responses().forEach((status, response) -> {
            if (!responses.containsKey(status)) {
                responses.addApiResponse(status, response);
            }
        });
        operation.responses(sortedResponses(responses));
        return operation;
    }

    private static ApiResponses sortedResponses(ApiResponses responses) {
        ApiResponses sorted = new ApiResponses();
        new TreeMap<>(responses).forEach(sorted::addApiResponse);
        return sorted;
    }

    private static String join(String a, String b) {
        return a == null || a.isBlank() ? b : a + " " + b;
    }

    /** {@code GET /jobs/{id}/config} → {@code getJobsIdConfig}. */
    static String operationId(HandlerType method, String path) {
        StringBuilder id = new StringBuilder(method.name().toLowerCase(Locale.ROOT));
        for (String segment : path.split("[/{}.-]+")) {
            if (!segment.isEmpty()) {
                id.append(Character.toUpperCase(segment.charAt(0))).append(segment.substring(1));
            }
        }
        return id.toString();
    }

    private static String firstSegment(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        return slash < 0 ? trimmed : trimmed.substring(0, slash);
    }

    private static Schema<?> errorInfo() {
        return new ObjectSchema()
                .description("An exception: its message (may be null), class and stack trace text")
                .addProperty("message", new StringSchema().nullable(true))
                .addProperty("errorClass", new StringSchema())
                .addProperty("stack", new StringSchema())
                .required(new ArrayList<>(List.of("message", "errorClass", "stack")));
    }

    private static Schema<?> errorEnvelope() {
        Schema<?> result = new Schema<>()
                .description("The message, or the exception map")
                .addAnyOfItem(new StringSchema())
                .addAnyOfItem(ApiDoc.ref(ApiDoc.ERROR_INFO));
        return new ObjectSchema()
                .description(
                        "Every error: `status` is `ERROR` or a label (`VALIDATION FAILED`, `JOB LOADING FAILED`,"
                                + " `CONTEXT INIT ERROR`, `NO SLOTS AVAILABLE`, ...); a failed job's reply also carries `jobId`")
                .addProperty("status", new StringSchema())
                .addProperty("result", result)
                .addProperty("jobId", new StringSchema())
                .required(new ArrayList<>(List.of("status", "result")));
    }

    private static Schema<?> success() {
        return new ObjectSchema()
                .addProperty("status", new StringSchema()._enum(List.of("SUCCESS")))
                .addProperty("result", new StringSchema().description("what was done, on some routes"))
                .required(new ArrayList<>(List.of("status")));
    }

    private static String version() {
        try (InputStream in = OpenApi.class.getResourceAsStream("/jobserver-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
