package spark.jobserver.server.binaries;

import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Replies;

/** {@code /binaries}: HTTP only; the logic is in {@link BinaryService}. */
public final class BinaryRoutes {
    private static final String APP_NAME = "the app's name (the binary's name)";
    private final BinaryService service;

    public BinaryRoutes(BinaryService service) {
        this.service = service;
    }

    public void register(RoutesConfig routes) {
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/binaries",
                ctx -> {
                    Map<String, BinaryReports.Summary> all = new LinkedHashMap<>();
                    for (BinaryInfo info : service.list()) {
                        all.put(info.appName(), BinaryReports.Summary.of(info));
                    }
                    Replies.json(ctx, 200, all);
                },
                doc -> doc.summary("The uploaded apps, each by its newest version")
                        .mapResponse(200, "By app name", BinaryReports.Summary.class));
        api.get(
                "/binaries/{appName}",
                ctx -> Replies.json(ctx, 200, BinaryReports.Report.of(service.get(ctx.pathParam("appName")))),
                doc -> doc.summary("An app's newest version")
                        .pathParam("appName", APP_NAME)
                        .example("appName", "test")
                        .response(200, "The app", BinaryReports.Report.class)
                        .error(404, "Can't find binary with name <appName>"));
        api.idempotentPost(
                "/binaries/{appName}",
                ApiRoutes.Body.STREAMED,
                ctx -> {
                    service.upload(
                            ctx.pathParam("appName"),
                            ctx.header("Content-Type"),
                            ctx.req().getInputStream());
                    Replies.success(ctx, 201);
                },
                doc -> doc.summary("Uploads a new version of an app")
                        .description("The type comes from the Content-Type only (`application/python-archive` is a"
                                + " legacy egg); every type is a ZIP archive.")
                        .pathParam("appName", APP_NAME)
                        .binaryBody(
                                "The archive's bytes",
                                true,
                                BinaryType.JAR.mediaType(),
                                BinaryType.EGG.mediaType(),
                                BinaryType.WHEEL.mediaType(),
                                "application/python-archive")
                        .success(201, "Stored")
                        .error(400, "Binary is not of the right format (not a ZIP archive); Invalid binary name")
                        .error(415, "Unsupported binary type <Content-Type>")
                        .error(500, "Storage Failure: <reason>"));
        api.delete(
                "/binaries/{appName}",
                ctx -> {
                    service.delete(ctx.pathParam("appName"));
                    Replies.success(ctx, 200);
                },
                doc -> doc.summary("Deletes every version of an app")
                        .pathParam("appName", APP_NAME)
                        .success(200, "Deleted")
                        .error(403, "Binary is in use by job(s): <ids>")
                        .error(404, "can't find binary with name <appName>"));
    }
}
