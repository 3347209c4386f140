package spark.jobserver.server.binaries;

import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Times;

/** {@code /binaries}: HTTP only; the logic is in {@link BinaryService}. */
public final class BinaryRoutes {
    private final BinaryService service;

    public BinaryRoutes(BinaryService service) {
        this.service = service;
    }

    public void register(RoutesConfig routes) {
        routes.get("/binaries", ctx -> {
            Map<String, Object> all = new LinkedHashMap<>();
            for (BinaryInfo info : service.list()) {
                all.put(
                        info.appName(),
                        Map.of("binary-type", info.type().wireName(), "upload-time", Times.utc(info.uploadTime())));
            }
            Replies.json(ctx, 200, all);
        });
        routes.get("/binaries/{appName}", ctx -> {
            BinaryInfo info = service.get(ctx.pathParam("appName"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("app-name", info.appName());
            body.put("binary-type", info.type().wireName());
            body.put("upload-time", Times.utc(info.uploadTime()));
            Replies.json(ctx, 200, body);
        });
        routes.post("/binaries/{appName}", ctx -> {
            service.upload(
                    ctx.pathParam("appName"),
                    ctx.header("Content-Type"),
                    ctx.req().getInputStream());
            Replies.success(ctx, 201);
        });
        routes.delete("/binaries/{appName}", ctx -> {
            service.delete(ctx.pathParam("appName"));
            Replies.success(ctx, 200);
        });
    }
}
