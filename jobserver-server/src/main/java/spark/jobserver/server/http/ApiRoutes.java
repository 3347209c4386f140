package spark.jobserver.server.http;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.EndpointMetadata;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Registers a route and its documentation in one call:
 *
 * <pre>{@code
 * ApiRoutes api = ApiRoutes.on(routes);
 * api.get("/jobs/{id}", this::getJob, doc -> doc.summary("A job's report")
 *         .pathParam("id", "the job's id")
 *         .response(200, "the job", JobReport.class)
 *         .error(404, "No such job ID <id>"));
 * }</pre>
 *
 * The documentation travels with the route as Javalin metadata (built when the spec is first asked for); {@link OpenApi} reads the routes back from
 * Javalin, so the spec lists exactly what is registered. A route registered on {@link RoutesConfig}
 * directly has no documentation, and {@link HttpServer} refuses to start with one.
 */
public final class ApiRoutes {
    private final RoutesConfig routes;

    private ApiRoutes(RoutesConfig routes) {
        this.routes = requireNonNull(routes, "routes is null");
    }

    public static ApiRoutes on(RoutesConfig routes) {
        return new ApiRoutes(routes);
    }

    public ApiRoutes get(String path, Handler handler, UnaryOperator<ApiDoc> doc) {
        return add(HandlerType.GET, path, handler, () -> doc.apply(ApiDoc.of()));
    }

    public ApiRoutes post(String path, Handler handler, UnaryOperator<ApiDoc> doc) {
        return add(HandlerType.POST, path, handler, () -> doc.apply(ApiDoc.of()));
    }

    /**
     * A POST that honours the {@code Idempotency-Key} header (docs/retries.md): the route is marked with
     * {@link Idempotent}, which the idempotency filter acts on, and its documentation gets the header and the
     * answers that go with it. One call, so that what the server does and what the spec says cannot differ.
     *
     * @param body how the filter fingerprints the request's body without taking it from the handler
     */
    public ApiRoutes idempotentPost(String path, Body body, Handler handler, UnaryOperator<ApiDoc> doc) {
        routes.addEndpoint(Endpoint.create(HandlerType.POST, path)
                .addMetadata(new Documented(() -> doc.apply(ApiDoc.of()).idempotent()))
                .addMetadata(new Idempotent(body))
                .handler(handler));
        return this;
    }

    public ApiRoutes put(String path, Handler handler, UnaryOperator<ApiDoc> doc) {
        return add(HandlerType.PUT, path, handler, () -> doc.apply(ApiDoc.of()));
    }

    public ApiRoutes delete(String path, Handler handler, UnaryOperator<ApiDoc> doc) {
        return add(HandlerType.DELETE, path, handler, () -> doc.apply(ApiDoc.of()));
    }

    /**
     * A route that is not part of the API (left out of the spec): the drivers' own routes.
     *
     * @param why what it is for and who calls it
     */
    public ApiRoutes internal(HandlerType method, String path, Handler handler, String why) {
        requireNonNull(why, "why is null");
        return add(method, path, handler, () -> ApiDoc.internal(why));
    }

    private ApiRoutes add(HandlerType method, String path, Handler handler, Supplier<ApiDoc> doc) {
        routes.addEndpoint(
                Endpoint.create(method, path).addMetadata(new Documented(doc)).handler(handler));
        return this;
    }

    /** How the request body of an idempotent route is fingerprinted. */
    public enum Body {
        /** The handler reads the whole body into memory ({@code ctx.bodyAsBytes()}): it is hashed. */
        READ,
        /**
         * The handler streams the body (binaries, possibly gigabytes): its content type and length stand for it,
         * since reading it first would take it from the handler.
         */
        STREAMED
    }

    /** Marks a route whose requests may carry an {@code Idempotency-Key}; see {@link #idempotentPost}. */
    public record Idempotent(Body body) implements EndpointMetadata {
        public Idempotent {
            requireNonNull(body, "body is null");
        }
    }

    /**
     * A route's documentation, built only when the spec is first asked for: a server nobody asks for its
     * spec never loads swagger-core (about 18 MB of the server's resident memory).
     */
    record Documented(Supplier<ApiDoc> doc) implements EndpointMetadata {
        Documented {
            requireNonNull(doc, "doc is null");
        }
    }
}
