package spark.jobserver.server.namedobjects;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.config.RoutesConfig;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import spark.jobserver.protocol.NamedObjectInfo;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Replies;
import spark.jobserver.server.http.Times;

/**
 * {@code GET /contexts/<name>/objects}: the metadata of a context's named objects, asked of its driver
 * (never their data).
 */
public final class NamedObjectRoutes {
    private final ContextService contexts;
    private final ProxyUsers proxyUsers;
    private final Duration timeout;
    private final Executor replies;

    /**
     * @param timeout how long to wait for the driver's answer
     * @param replies where replies are written (an HTTP thread, never a connection's reader)
     */
    public NamedObjectRoutes(ContextService contexts, ProxyUsers proxyUsers, Duration timeout, Executor replies) {
        this.contexts = requireNonNull(contexts, "contexts is null");
        this.proxyUsers = requireNonNull(proxyUsers, "proxyUsers is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.replies = requireNonNull(replies, "replies is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes.on(routes)
                .get(
                        "/contexts/{name}/objects",
                        ctx -> {
                            String name = proxyUsers.storedName(ctx, ctx.pathParam("name"));
                            ctx.future(() -> contexts.namedObjects(name, timeout)
                                    .handleAsync(
                                            (objects, failure) -> {
                                                if (failure != null) {
                                                    Throwable cause = ApiException.causeOf(failure);
                                                    throw cause instanceof RuntimeException re
                                                            ? re
                                                            : new CompletionException(cause);
                                                }
                                                Replies.json(ctx, 200, render(objects));
                                                return null;
                                            },
                                            replies));
                        },
                        doc -> doc.summary("The metadata of a running context's named objects (never their data)")
                                .tag("contexts")
                                .pathParam("name", "the context's name")
                                .arrayResponse(200, "One per named object", NamedObjectReport.class)
                                .error(404, "context <name> not found (or not running)")
                                .error(503, "The driver is not connected, or could not list its objects")
                                .error(504, "The driver did not answer in time"));
    }

    /** One named object; fields that do not apply to its kind are left out. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "NamedObject")
    record NamedObjectReport(
            @JsonInclude(JsonInclude.Include.ALWAYS) String name,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "RDD, DataFrame, Broadcast or Other")
            String kind,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "MEMORY_ONLY, NONE, ...; n/a for broadcasts")
            String storageLevel,

            Long memoryBytes,
            Long diskBytes,
            Integer partitions,
            Integer cachedPartitions,
            Integer rddId,
            Long broadcastId,
            Boolean destroyed,

            @JsonInclude(JsonInclude.Include.ALWAYS) @Schema(description = "when a job last created or got it, UTC")
            String lastUsed) {
        static NamedObjectReport of(NamedObjectInfo o) {
            return new NamedObjectReport(
                    o.name(),
                    o.kind(),
                    o.storageLevel() == null ? "n/a" : o.storageLevel(),
                    o.memoryBytes(),
                    o.diskBytes(),
                    o.partitions(),
                    o.cachedPartitions(),
                    o.rddId(),
                    o.broadcastId(),
                    o.destroyed(),
                    Times.utc(Instant.ofEpochMilli(o.lastUsed())));
        }
    }

    static List<NamedObjectReport> render(List<NamedObjectInfo> objects) {
        return objects.stream().map(NamedObjectReport::of).toList();
    }
}
