package spark.jobserver.server.namedobjects;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import spark.jobserver.protocol.NamedObjectInfo;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.contexts.ContextService;
import spark.jobserver.server.http.ApiException;
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
        routes.get("/contexts/{name}/objects", ctx -> {
            String name = proxyUsers.storedName(ctx, ctx.pathParam("name"));
            ctx.future(() -> contexts.namedObjects(name, timeout)
                    .handleAsync(
                            (objects, failure) -> {
                                if (failure != null) {
                                    Throwable cause = ApiException.causeOf(failure);
                                    throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
                                }
                                Replies.json(ctx, 200, render(objects));
                                return null;
                            },
                            replies));
        });
    }

    /** One JSON object per named object; fields that do not apply to its kind are left out. */
    static List<Map<String, Object>> render(List<NamedObjectInfo> objects) {
        return objects.stream().map(NamedObjectRoutes::render).toList();
    }

    private static Map<String, Object> render(NamedObjectInfo o) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", o.name());
        body.put("kind", o.kind());
        body.put("storageLevel", o.storageLevel() == null ? "n/a" : o.storageLevel());
        putIfKnown(body, "memoryBytes", o.memoryBytes());
        putIfKnown(body, "diskBytes", o.diskBytes());
        putIfKnown(body, "partitions", o.partitions());
        putIfKnown(body, "cachedPartitions", o.cachedPartitions());
        putIfKnown(body, "rddId", o.rddId());
        putIfKnown(body, "broadcastId", o.broadcastId());
        putIfKnown(body, "destroyed", o.destroyed());
        body.put("lastUsed", Times.utc(Instant.ofEpochMilli(o.lastUsed())));
        return body;
    }

    private static void putIfKnown(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}
