package spark.jobserver.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A query string, each name and value encoded. */
final class Query {
    private final List<String> parts = new ArrayList<>();

    Query add(String name, String value) {
        parts.add(encode(name) + "=" + encode(value));
        return this;
    }

    Query addIfPresent(String name, Object value) {
        return value == null ? this : add(name, value.toString());
    }

    @Override
    public String toString() {
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    /** One path segment or query part: everything but unreserved characters escaped, space as %20. */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
