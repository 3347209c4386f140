package spark.jobserver.server.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.javalin.http.Context;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import spark.jobserver.server.config.Configs;

/** Typed reading of request input; every bad value is a 4xx (mostly 400) with a clear message. */
public final class Requests {
    private Requests() {}

    /**
     * The body as HOCON/JSON. Read raw: {@code curl -d} sends a form content type, and servlet form
     * parsing would eat the body.
     */
    public static Config bodyConfig(Context ctx) {
        String body = new String(ctx.bodyAsBytes(), charset(ctx));
        if (ConfigNesting.depth(body) > ConfigNesting.LIMIT) {
            throw ApiException.error(
                    400, "Cannot parse config: nested more than " + ConfigNesting.LIMIT + " levels deep");
        }
        try {
            return Configs.parseBody(body);
        } catch (ConfigException e) {
            throw ApiException.error(400, "Cannot parse config: " + e.getMessage());
        }
    }

    /** The body's charset as its Content-Type names it, UTF-8 when it names none; 415 for one the JVM does not know. */
    private static Charset charset(Context ctx) {
        String name = ctx.characterEncoding();
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalArgumentException e) {
            // IllegalCharsetNameException, UnsupportedCharsetException; the servlet's getContentType() throws them too
            throw ApiException.error(
                    415, "Unsupported charset '" + name + "' in Content-Type " + ctx.header("Content-Type"));
        }
    }

    /** The query parameters (except the given ones) as a config; dotted keys nest. */
    public static Config queryConfig(Context ctx, Set<String> excluded) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (!excluded.contains(e.getKey())
                    && !e.getValue().isEmpty()
                    && !e.getKey().isBlank()) {
                if (e.getKey().chars().filter(c -> c == '.').count() >= ConfigNesting.LIMIT) {
                    throw ApiException.error(
                            400,
                            "Invalid query parameter: a key nested more than " + ConfigNesting.LIMIT + " levels deep");
                }
                values.put(e.getKey(), e.getValue().get(e.getValue().size() - 1));
            }
        }
        try {
            return ConfigFactory.parseMap(values);
        } catch (ConfigException e) {
            throw ApiException.error(400, "Invalid query parameter: " + e.getMessage());
        }
    }

    /** A query parameter that must be present: missing → 404 with the original's text, as its routing answered. */
    public static String requiredParam(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null) {
            throw ApiException.error(404, "Request is missing required query parameter '" + name + "'");
        }
        return value;
    }

    public static boolean booleanParam(Context ctx, String name, boolean fallback) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default ->
                throw ApiException.error(
                        400, "Invalid value for " + name + ": '" + value + "' (expected true or false)");
        };
    }

    public static int intParam(Context ctx, String name, int fallback, int min) {
        String value = ctx.queryParam(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min) {
                throw ApiException.error(
                        400, "Invalid value for " + name + ": '" + value + "' (must be at least " + min + ")");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.error(400, "Invalid value for " + name + ": '" + value + "' (expected a whole number)");
        }
    }
}
