package spark.jobserver.server.http;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Writes the reference's success envelopes and JSON bodies. */
public final class Replies {
    private Replies() {}

    public static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    /** {@code {"status":"SUCCESS"}}. */
    public static void success(Context ctx, int status) {
        json(ctx, status, Map.of("status", "SUCCESS"));
    }

    /** {@code {"status":"SUCCESS","result":"<message>"}}. */
    public static void success(Context ctx, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "SUCCESS");
        body.put("result", message);
        json(ctx, status, body);
    }

    private static final String MADE = "jobserver.made";

    /**
     * Names what this request made ({@code field} {@code id}: a job's id), for a reply that may have to stand
     * in for this one without its body: an idempotent replay of an answer too large to keep (docs/retries.md).
     */
    public static void made(Context ctx, String field, String id) {
        ctx.attribute(MADE, Map.entry(field, id));
    }

    /** What {@link #made} noted for this request. */
    public static Optional<Map.Entry<String, String>> made(Context ctx) {
        return Optional.ofNullable(ctx.attribute(MADE));
    }

    /** An error written by a servlet filter, before Javalin: the same envelope as every other error. */
    static void error(HttpServletResponse response, ApiException error) throws IOException {
        response.setStatus(error.httpStatus());
        response.setContentType("application/json");
        response.getWriter().write(Json.write(error.body()));
    }
}
