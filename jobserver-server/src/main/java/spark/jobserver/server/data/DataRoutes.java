package spark.jobserver.server.data;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.drivers.DriverRequests;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
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
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/data",
                ctx -> Replies.json(ctx, 200, service.list()),
                doc -> doc.summary("The uploaded data files, by absolute path on the server")
                        .arrayResponse(200, "Absolute paths", String.class)
                        .error(500, "Cannot list data files: <reason>"));
        api.post(
                "/data/{prefix}",
                ctx -> {
                    Path stored =
                            service.store(ctx.pathParam("prefix"), ctx.req().getInputStream());
                    Replies.json(ctx, 200, new Stored(new Stored.File(stored.toString())));
                },
                doc -> doc.summary("Uploads a data file for jobs to read")
                        .description("Stored as `<prefix>-<upload time>.dat` in the data directory; jobs get the"
                                + " path from the reply.")
                        .pathParam("prefix", "the start of the stored file's name")
                        .binaryBody(
                                "The file's bytes, whatever its type", false, "application/octet-stream", "text/plain")
                        .response(200, "Stored (no `status` field, as in the original)", Stored.class)
                        .error(400, "Failed to store data file '<prefix>'.: the name is not usable")
                        .error(500, "Failed to store data file '<prefix>': <reason>"));
        api.delete(
                "/data/{path}",
                ctx -> {
                    service.delete(ctx.pathParam("path"));
                    Replies.success(ctx, 200);
                },
                doc -> doc.summary("Deletes a data file")
                        .pathParam("path", "the file's absolute path as `GET /data` lists it, URL-encoded")
                        .success(200, "Deleted")
                        .error(400, "Unable to delete data file '<path>'."));
        api.put(
                "/data",
                this::reset,
                doc -> doc.summary("Deletes every data file")
                        .queryParam(
                                "reset",
                                new StringSchema()._enum(java.util.List.of("reboot")),
                                "must be `reboot` (case does not matter)",
                                true)
                        .booleanParam("sync", true, "false: answer at once and delete afterwards")
                        .success(200, "Data reset, or Data reset requested")
                        .error(400, "Invalid value for reset, or for sync")
                        .error(404, "Request is missing required query parameter 'reset'")
                        .error(500, "Unable to delete data folder: <n> file(s) could not be deleted"));
        api.internal(
                HandlerType.GET,
                DriverLaunch.DATA_PATH + "{path}",
                this::serveToDriver,
                "drivers on other hosts fetch data files; signed by the context's key");
    }

    /** {@code POST /data/<prefix>}'s reply: {@code {"result":{"filename":"<absolute path>"}}}. */
    @Schema(name = "DataFileStored")
    record Stored(File result) {
        @Schema(name = "StoredFile")
        record File(
                @Schema(description = "absolute path on the server")
                String filename) {}
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
