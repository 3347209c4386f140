package spark.jobserver.server;

import io.javalin.config.RoutesConfig;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.store.Database;

/** {@code GET /healthz}: the server answers and its database too. */
final class HealthRoutes {
    private final Database database;

    HealthRoutes(Database database) {
        this.database = database;
    }

    void register(RoutesConfig routes) {
        ApiRoutes.on(routes)
                .get(
                        "/healthz",
                        ctx -> {
                            if (!database.isHealthy()) {
                                throw ApiException.error(500, "Database not reachable");
                            }
                            Replies.success(ctx, 200);
                        },
                        doc -> doc.summary("Whether the server and its database answer")
                                .tag("health")
                                .publicRoute()
                                .success(200, "Healthy")
                                .error(500, "Database not reachable"));
    }
}
