package spark.jobserver.server.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ?_method=DELETE} (or PUT, ...) makes any request act as that method, as in the original.
 * Read from the query string only: servlet parameter parsing would consume a form-encoded body. Runs
 * after {@link RequestTargetFilter}, so the query string decodes.
 */
final class MethodOverrideFilter implements Filter {
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String override = methodParam(http.getQueryString());
        if (override == null) {
            chain.doFilter(request, response);
            return;
        }
        String method = override.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            Replies.error(
                    (HttpServletResponse) response, ApiException.error(501, "Unsupported HTTP method: " + override));
            return;
        }
        chain.doFilter(
                new HttpServletRequestWrapper(http) {
                    @Override
                    public String getMethod() {
                        return method;
                    }
                },
                response);
    }

    static String methodParam(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals("_method") && eq >= 0) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
