package spark.jobserver.server.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.core.converter.ResolvedSchema;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BinarySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MapSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.PathParameter;
import io.swagger.v3.oas.models.parameters.QueryParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The API documentation of one route, written next to its registration ({@link ApiRoutes}) and kept by
 * Javalin with the route itself, from which {@link OpenApi} generates the spec. JSON bodies are described
 * by the Java types the handler writes (records, through swagger-core's {@code ModelConverters}): a
 * record's components are required unless {@code @JsonInclude(NON_NULL)} lets them be left out.
 */
public final class ApiDoc {
    static final String ERROR = "Error";
    static final String SUCCESS = "Success";
    static final String ERROR_INFO = "ErrorInfo";
    static final String ANY = "AnyValue";
    static final String JSON = "application/json";

    private String summary;
    private String description;
    private String tag;
    private String internal;
    private boolean public_;
    private String publicUnless;
    private final List<Parameter> parameters = new ArrayList<>();
    private RequestBody body;
    private final Map<String, ApiResponse> responses = new TreeMap<>();
    /** Schemas of the Java types used, by name, for the spec's components. */
    private final Map<String, Schema<?>> schemas = new LinkedHashMap<>();

    private ApiDoc() {}

    /** A route of the API, in the spec. */
    public static ApiDoc of() {
        return new ApiDoc();
    }

    /**
     * A route that is not part of the API (the drivers' own routes), left out of the spec.
     *
     * @param why what it is for and who calls it
     */
    public static ApiDoc internal(String why) {
        ApiDoc doc = new ApiDoc();
        doc.internal = requireNonNull(why, "why is null");
        return doc;
    }

    public ApiDoc summary(String summary) {
        this.summary = summary;
        return this;
    }

    public ApiDoc description(String description) {
        this.description = description;
        return this;
    }

    /** The group the route is listed under (by default the first segment of its path). */
    public ApiDoc tag(String tag) {
        this.tag = tag;
        return this;
    }

    /** Served to anyone, whatever the access control (as {@code RoutePermissions} says). */
    public ApiDoc publicRoute() {
        this.public_ = true;
        return this;
    }

    /**
     * Served to anyone unless the configuration key {@code key} is off (as {@code RoutePermissions} says);
     * then it needs a user allowed everything.
     */
    public ApiDoc publicUnless(String key) {
        this.publicUnless = requireNonNull(key, "key is null");
        return this;
    }

    public ApiDoc pathParam(String name, String description) {
        parameters.add(new PathParameter()
                .name(name)
                .description(description)
                .required(true)
                .schema(new StringSchema().minLength(1)));
        return this;
    }

    public ApiDoc queryParam(String name, String description) {
        return queryParam(name, new StringSchema(), description, false);
    }

    public ApiDoc intParam(String name, int minimum, int byDefault, String description) {
        return queryParam(
                name,
                new IntegerSchema()
                        .minimum(java.math.BigDecimal.valueOf(minimum))
                        .maximum(java.math.BigDecimal.valueOf(Integer.MAX_VALUE))
                        ._default(byDefault),
                description,
                false);
    }

    public ApiDoc booleanParam(String name, boolean byDefault, String description) {
        return queryParam(name, new BooleanSchema()._default(byDefault), description, false);
    }

    public ApiDoc queryParam(String name, Schema<?> schema, String description, boolean required) {
        parameters.add(new QueryParameter()
                .name(name)
                .description(description)
                .required(required)
                .schema(schema));
        return this;
    }

    /** An example value of a parameter declared before (shown by Swagger UI, sent by schemathesis). */
    public ApiDoc example(String parameter, Object example) {
        parameters.stream()
                .filter(p -> p.getName().equals(parameter))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no parameter " + parameter))
                .example(example);
        return this;
    }

    public ApiDoc header(String name, String description) {
        parameters.add(new HeaderParameter().name(name).description(description).schema(new StringSchema()));
        return this;
    }

    /** A body read as text (HOCON or JSON), under each of the given content types; {@code example} may be null. */
    public ApiDoc textBody(String description, String example, String... contentTypes) {
        Content content = new Content();
        for (String type : contentTypes) {
            content.addMediaType(
                    type,
                    new MediaType().schema(new StringSchema()).example(type.equals("text/plain") ? example : null));
        }
        body = new RequestBody().description(description).content(content);
        return this;
    }

    /** A body of raw bytes, under each of the given content types. */
    public ApiDoc binaryBody(String description, boolean required, String... contentTypes) {
        Content content = new Content();
        for (String type : contentTypes) {
            content.addMediaType(type, new MediaType().schema(new BinarySchema()));
        }
        body = new RequestBody().description(description).required(required).content(content);
        return this;
    }

    /** A JSON reply of the given type. */
    public ApiDoc response(int status, String description, Class<?> type) {
        return response(status, description, JSON, schemaOf(type));
    }

    /** A JSON array of the given type. */
    public ApiDoc arrayResponse(int status, String description, Class<?> itemType) {
        return response(status, description, JSON, new ArraySchema().items(schemaOf(itemType)));
    }

    /** A JSON object whose values are of the given type, under keys of the caller's choosing. */
    public ApiDoc mapResponse(int status, String description, Class<?> valueType) {
        return response(status, description, JSON, new MapSchema().additionalProperties(schemaOf(valueType)));
    }

    /** Any JSON object. */
    public ApiDoc objectResponse(int status, String description) {
        return response(status, description, JSON, new ObjectSchema());
    }

    /** A reply of the given content type; {@code schema} may be null (no body described). */
    public ApiDoc response(int status, String description, String contentType, Schema<?> schema) {
        ApiResponse response = responses.computeIfAbsent(key(status), k -> new ApiResponse());
        response.description(join(response.getDescription(), description));
        if (response.getContent() == null) {
            response.content(new Content());
        }
        MediaType existing = response.getContent().get(contentType);
        if (existing == null) {
            response.getContent().addMediaType(contentType, new MediaType().schema(schema));
        } else if (schema != null && !schema.equals(existing.getSchema())) {
            Schema<?> either = new Schema<>();
            if (existing.getSchema() != null && existing.getSchema().getAnyOf() != null) {
                either = existing.getSchema();
            } else if (existing.getSchema() != null) {
                either.addAnyOfItem(existing.getSchema());
            }
            either.addAnyOfItem(schema);
            existing.schema(either);
        }
        return this;
    }

    /** A header of the reply with {@code status} (declared before), e.g. a paging cursor. */
    public ApiDoc responseHeader(int status, String name, Schema<?> schema, String description) {
        ApiResponse response = responses.get(key(status));
        if (response == null) {
            throw new IllegalArgumentException("no response " + status + " declared before its header " + name);
        }
        response.addHeaderObject(name, new Header().description(description).schema(schema));
        return this;
    }

    /** A reply without a body. */
    public ApiDoc emptyResponse(int status, String description) {
        ApiResponse response = responses.computeIfAbsent(key(status), k -> new ApiResponse());
        response.description(join(response.getDescription(), description));
        return this;
    }

    /** {@code {"status":"SUCCESS"}}, or {@code {"status":"SUCCESS","result":"<message>"}}. */
    public ApiDoc success(int status, String description) {
        return response(status, description, JSON, ref(SUCCESS));
    }

    /**
     * The error envelope: {@code {"status":"ERROR","result":"<message>"}} or, with an exception,
     * {@code {"status":"<LABEL>","result":{"message":…,"errorClass":…,"stack":…}}}.
     */
    public ApiDoc error(int status, String description) {
        return response(status, description, JSON, ref(ERROR));
    }

    /** The request header that makes a POST safe to retry (docs/retries.md). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The header of a reply that is the stored answer to an earlier request with the same key. */
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    /**
     * The {@code Idempotency-Key} header and its answers, added to a route registered with {@link
     * ApiRoutes#idempotentPost} after its own documentation: every answer of the route may be a replay.
     */
    ApiDoc idempotent() {
        parameters.add(new HeaderParameter()
                .name(IDEMPOTENCY_KEY)
                .description("Makes the request safe to retry: a repeat with the same key (same user, same"
                        + " route) within the window answers the first answer again, with `"
                        + IDEMPOTENT_REPLAYED + ": true`, and starts nothing. 1 to 255 visible ASCII characters,"
                        + " e.g. a UUID. See docs/retries.md.")
                .schema(new StringSchema().minLength(1).maxLength(255).pattern("^[!-~]+$")));
        error(400, "Invalid Idempotency-Key: 1 to 255 visible ASCII characters");
        error(409, "A request with this Idempotency-Key is in progress (retry after Retry-After seconds)");
        responseHeader(409, "Retry-After", new IntegerSchema(), "with a key in progress: seconds to wait");
        error(422, "Idempotency-Key reused with a different request");
        for (ApiResponse response : responses.values()) {
            response.addHeaderObject(
                    IDEMPOTENT_REPLAYED,
                    new Header()
                            .description("`true` when this is the stored answer to an earlier request with the same"
                                    + " Idempotency-Key")
                            .schema(new StringSchema()._enum(List.of("true"))));
        }
        return this;
    }

    boolean isInternal() {
        return internal != null;
    }

    boolean isPublic() {
        return public_;
    }

    /** The key that closes this route to anonymous callers; null when there is none. */
    String publicUnless() {
        return publicUnless;
    }

    String summary() {
        return summary;
    }

    String description() {
        return description;
    }

    String tag() {
        return tag;
    }

    List<Parameter> parameters() {
        return parameters;
    }

    RequestBody body() {
        return body;
    }

    Map<String, ApiResponse> responses() {
        return responses;
    }

    Map<String, Schema<?>> schemas() {
        return schemas;
    }

    static Schema<?> ref(String name) {
        return new Schema<>().$ref("#/components/schemas/" + name);
    }

    private static String key(int status) {
        return Integer.toString(status);
    }

    private static String join(String a, String b) {
        if (a == null || a.isBlank()) {
            return b;
        }
        return b == null || b.isBlank() || a.contains(b) ? a : a + "; " + b;
    }

    /** A reference to the schema of {@code type}, whose schemas (and those it refers to) are kept. */
    private Schema<?> schemaOf(Class<?> type) {
        if (type == String.class) {
            return new StringSchema();
        }
        ResolvedSchema resolved = ModelConverters.getInstance().resolveAsResolvedSchema(new AnnotatedType(type));
        for (Map.Entry<String, Schema> e : resolved.referencedSchemas.entrySet()) {
            schemas.put(e.getKey(), e.getValue());
        }
        requireComponents(type, resolved.referencedSchemas);
        String name = resolved.schema.getName();
        return name != null && resolved.referencedSchemas.containsKey(name) ? ref(name) : resolved.schema;
    }

    /**
     * A record writes every component, so each is required in its schema, except those that
     * {@code @JsonInclude(NON_NULL)} leaves out when null. The same for the records it holds.
     */
    @SuppressWarnings("rawtypes")
    private static void requireComponents(Type type, Map<String, Schema> byName) {
        if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                requireComponents(argument, byName);
            }
            return;
        }
        if (!(type instanceof Class<?> c) || !c.isRecord()) {
            return;
        }
        io.swagger.v3.oas.annotations.media.Schema named =
                c.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
        Schema<?> schema = byName.get(named != null && !named.name().isEmpty() ? named.name() : c.getSimpleName());
        for (RecordComponent component : c.getRecordComponents()) {
            requireComponents(component.getGenericType(), byName);
            if (schema == null) {
                continue;
            }
            JsonInclude include = component.getAccessor().getAnnotation(JsonInclude.class);
            if (include == null) {
                include = component.getDeclaringRecord().getAnnotation(JsonInclude.class);
            }
            if (include != null && include.value() != JsonInclude.Include.ALWAYS) {
                continue;
            }
            JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class);
            String name = property != null && !property.value().isEmpty() ? property.value() : component.getName();
            if (schema.getRequired() == null || !schema.getRequired().contains(name)) {
                schema.addRequiredItem(name);
            }
        }
    }
}
