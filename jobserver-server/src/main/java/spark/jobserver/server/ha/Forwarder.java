package spark.jobserver.server.ha;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.HttpServer;
import spark.jobserver.server.http.Replies;

/**
 * Sends a request about a context to the server the context's driver is attached to, and relays the answer
 * as it comes (status, headers, body streamed). The request goes as the client sent it, its credentials
 * included: the other server checks them itself. A request that was forwarded once is never forwarded
 * again; if the context is not attached there either (it is moving), the answer is 503 with
 * {@code Retry-After}.
 */
public final class Forwarder {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    /** Names the server that forwarded a request. */
    public static final String FORWARDED_BY = "X-Jobserver-Forwarded-By";

    /** Headers of one connection (RFC 9110 §7.6.1) or that the HTTP client sets itself. */
    private static final Set<String> NOT_RELAYED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length",
            "expect",
            "http2-settings",
            FORWARDED_BY.toLowerCase(Locale.ROOT),
            // kept by the server the client reached, which answers repeats; the owner runs the request once
            "idempotency-key");

    /** Answers up to this size are relayed as bytes; larger or unsized ones are streamed. */
    private static final long BUFFERED = 1 << 20;

    private final HttpClient client;
    private final String serverId;
    private final Duration retryAfter;

    /**
     * @param retryAfter what a client is told to wait when the context's server cannot be reached (its lease
     *     has not run out yet, or it is being adopted)
     */
    public Forwarder(String serverId, Duration retryAfter) {
        this.serverId = requireNonNull(serverId, "serverId is null");
        this.retryAfter = requireNonNull(retryAfter, "retryAfter is null");
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt: Jetty here speaks HTTP/1.1
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public void register(RoutesConfig routes) {
        routes.exception(ContextElsewhere.class, this::forward);
    }

    /** The answer for a request about a context that is moving between servers. */
    public ApiException moving(String contextName) {
        return ApiException.error(
                        503,
                        "Context " + contextName
                                + " is moving to another server (its server stopped or lost it); try again shortly")
                .retryAfter(retryAfter);
    }

    private void forward(ContextElsewhere e, Context ctx) {
        ctx.attribute(HttpServer.HANDLED, true);
        if (ctx.header(FORWARDED_BY) != null) {
            // forwarded here by a server that thought this one had the context: it does not (any more)
            reply(
                    ctx,
                    ApiException.error(503, "The context's driver is attaching to another server; try again shortly")
                            .retryAfter(retryAfter));
            return;
        }
        String query = ctx.queryString();
        URI target = URI.create(e.owner().url() + ctx.req().getRequestURI() + (query == null ? "" : "?" + query));
        byte[] body = ctx.bodyAsBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .method(
                        ctx.req().getMethod(),
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .header(FORWARDED_BY, serverId);
        for (String name : java.util.Collections.list(ctx.req().getHeaderNames())) {
            if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : java.util.Collections.list(ctx.req().getHeaders(name))) {
                    request.header(name, value);
                }
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException ex) {
            LOG.info(
                    "Forwarding {} {} to {} failed: {}",
                    ctx.method(),
                    ctx.path(),
                    e.owner().url(),
                    ex.toString());
            reply(
                    ctx,
                    ApiException.error(
                                    503,
                                    "The server of this context (" + e.owner().url() + ") cannot be reached; try again"
                                            + " shortly, another server adopts its contexts when it is gone")
                            .retryAfter(retryAfter));
            return;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            reply(ctx, ApiException.error(503, "Interrupted while forwarding the request"));
            return;
        }
        ctx.status(response.statusCode());
        response.headers().map().forEach((name, values) -> {
            if (!NOT_RELAYED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                List<String> copy = List.copyOf(values);
                for (String value : copy) {
                    ctx.res().addHeader(name, value);
                }
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (length >= 0 && length <= BUFFERED) {
            // a small answer as bytes, as a local one would be (what keeps an Idempotency-Key's answer reads it)
            try (InputStream in = response.body()) {
                ctx.result(in.readAllBytes());
            } catch (IOException ex) {
                reply(ctx, ApiException.error(502, "The answer of " + e.owner().url() + " broke off: " + ex));
            }
        } else {
            ctx.result(response.body()); // streamed as it comes: a stream result, a followed log
        }
    }

    private static void reply(Context ctx, ApiException e) {
        e.retryAfterSeconds().ifPresent(seconds -> ctx.header("Retry-After", Long.toString(seconds)));
        Replies.json(ctx, e.httpStatus(), e.body());
    }
}
