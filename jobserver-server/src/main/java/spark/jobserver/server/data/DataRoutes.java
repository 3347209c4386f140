package spark.jobserver.server.data;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.drivers.DriverRequests;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Requests;

/**
 * {@code /data}, and the route from which drivers on other hosts fetch the files
 * ({@code GET /driver/data/<url-encoded absolute path>}). HTTP only; the logic is in {@link DataService}.
 */
public final class DataRoutes {
    private final DataService service;
    private final DriverRequests drivers;

    public DataRoutes(DataService service, DriverRequests drivers) {
        this.service = service;
        this.drivers = drivers;
    }

    public void register(RoutesConfig routes) {
        routes.get("/data", ctx -> Replies.json(ctx, 200, service.list()));
        routes.post("/data/{prefix}", ctx -> {
            Path stored = service.store(ctx.pathParam("prefix"), ctx.req().getInputStream());
            Replies.json(ctx, 200, Map.of("result", Map.of("filename", stored.toString())));
        });
        routes.delete("/data/{path}", ctx -> {
            service.delete(ctx.pathParam("path"));
            Replies.success(ctx, 200);
        });
        routes.put("/data", this::reset);
        routes.get(DriverLaunch.DATA_PATH + "{path}", this::serveToDriver);
    }

    private void reset(Context ctx) {
        String reset = Requests.requiredParam(ctx, "reset");
        if (!reset.toLowerCase(Locale.ROOT).equals("reboot")) {
            throw ApiException.error(400, "Invalid value for reset: '" + reset + "' (only 'reboot' is supported)");
        }
        if (Requests.booleanParam(ctx, "sync", true)) {
            service.reset();
            Replies.success(ctx, 200, "Data reset");
        } else {
            service.resetLater();
            Replies.success(ctx, 200, "Data reset requested");
        }
    }

    private void serveToDriver(Context ctx) throws Exception {
        drivers.authenticate(ctx, "fetch data files");
        Path file = service.file(ctx.pathParam("path"));
        ctx.contentType("application/octet-stream");
        ctx.header("Content-Length", Long.toString(Files.size(file)));
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(ctx.res().getOutputStream());
        }
    }
}
