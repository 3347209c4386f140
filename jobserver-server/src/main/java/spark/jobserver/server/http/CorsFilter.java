package spark.jobserver.server.http;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * CORS as akka-http-cors answered it in the original. A request without {@code Origin} passes untouched.
 * One from an allowed origin gets that origin back with credentials allowed (and {@code Vary: Origin}), on
 * every reply including errors, which browsers otherwise hide from the page. A preflight ({@code OPTIONS}
 * with {@code Access-Control-Request-Method}) is answered here, 200 with an empty body, before
 * authentication and routing: browsers send it without credentials. An origin not allowed, or a preflight
 * for a method not allowed, is refused 403 with the JSON envelope and no CORS headers. Other replies expose
 * the few headers of the API a page reads ({@link #EXPOSED_HEADERS}).
 *
 * <p>The first filter, so that replies of the filters after it (a target that does not decode, an
 * unknown {@code _method}) carry the headers too; a preflight is decided by the method on the wire, not
 * by {@code _method}.
 */
final class CorsFilter implements Filter {
    private static final String ALLOWED_METHODS = String.join(", ", CorsSettings.METHODS);
    private static final String MAX_AGE = Long.toString(CorsSettings.MAX_AGE.toSeconds());
    /**
     * The answers' headers beyond the CORS-safelisted ones that a page needs: when to retry (429, 503, 409 of
     * a key in use), whether an answer is a replay, where a context was made, which part of a log came.
     */
    static final String EXPOSED_HEADERS =
            String.join(", ", "Retry-After", ApiDoc.IDEMPOTENT_REPLAYED, "Location", "Content-Range", "Accept-Ranges");

    private final CorsSettings settings;

    CorsFilter(CorsSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        HttpServletResponse reply = (HttpServletResponse) response;
        String origin = http.getHeader("Origin");
        if (origin == null) {
            chain.doFilter(request, response);
            return;
        }
        if (!settings.allows(origin)) {
            Replies.error(reply, ApiException.error(403, "CORS: invalid origin '" + origin + "'"));
            return;
        }
        String requestedMethod = http.getHeader("Access-Control-Request-Method");
        boolean preflight = "OPTIONS".equals(http.getMethod()) && requestedMethod != null;
        if (preflight && !CorsSettings.METHODS.contains(requestedMethod)) {
            Replies.error(reply, ApiException.error(403, "CORS: invalid method '" + requestedMethod + "'"));
            return;
        }
        reply.setHeader("Access-Control-Allow-Origin", origin);
        reply.setHeader("Access-Control-Allow-Credentials", "true");
        reply.addHeader("Vary", "Origin");
        if (!preflight) {
            reply.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
            chain.doFilter(request, response);
            return;
        }
        reply.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
        String requestedHeaders = http.getHeader("Access-Control-Request-Headers");
        if (requestedHeaders != null && !requestedHeaders.isBlank()) {
            // every header is allowed: the ones asked for are the answer
            reply.setHeader("Access-Control-Allow-Headers", requestedHeaders);
        }
        reply.setHeader("Access-Control-Max-Age", MAX_AGE);
        reply.setStatus(200);
        reply.setContentLength(0);
    }
}
