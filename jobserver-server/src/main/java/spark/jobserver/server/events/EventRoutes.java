package spark.jobserver.server.events;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Requests;

/**
 * {@code GET /events}: the Server-Sent Events stream of context, job and (asked for) progress changes.
 * HTTP only: the stream is {@link EventStream}'s.
 */
public final class EventRoutes {
    private final EventStream stream;
    private final ProxyUsers proxyUsers;

    /**
     * @param proxyUsers with use-as-proxy-user, a user receives the events of its own contexts only (as
     *     {@code GET /contexts} lists them), under the names it gave them
     */
    public EventRoutes(EventStream stream, ProxyUsers proxyUsers) {
        this.stream = requireNonNull(stream, "stream is null");
        this.proxyUsers = requireNonNull(proxyUsers, "proxyUsers is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes.on(routes)
                .get(
                        "/events",
                        this::events,
                        doc -> doc.summary("A Server-Sent Events stream of context and job changes (and progress)")
                                .description(
                                        "`text/event-stream`, open until the client goes or the server stops:"
                                                + " each event has an `id:`, an `event:` (`context`, `job`, `progress`, `reset`)"
                                                + " and one `data:` line of JSON (the context as GET /contexts/<name> shows it,"
                                                + " the job as GET /jobs/<id> without a result, the progress of GET"
                                                + " /jobs/<id>/progress). Resumable within a window. See docs/observability.md.")
                                .booleanParam("progress", false, "also the progress of running jobs")
                                .queryParam(
                                        "context",
                                        new ArraySchema().items(new StringSchema()),
                                        "only the events of these contexts and their jobs (repeatable)",
                                        false)
                                .queryParam(
                                        "job",
                                        new ArraySchema().items(new StringSchema()),
                                        "only the events of these jobs (repeatable)",
                                        false)
                                .queryParam(
                                        "lastEventId",
                                        new StringSchema(),
                                        "resume after this event's id (as the Last-Event-ID header)",
                                        false)
                                .header(
                                        "Last-Event-ID",
                                        "resume after this event's id (what a browser sends when it reconnects)")
                                .response(200, "The stream", "text/event-stream", new StringSchema())
                                .error(400, "Invalid Last-Event-ID (or lastEventId); Invalid value for progress")
                                .error(503, "The server is stopping, or has as many stream clients as it takes"));
    }

    private void events(Context ctx) throws IOException {
        boolean progress = Requests.booleanParam(ctx, "progress", false);
        Long lastEventId = lastEventId(ctx);
        Set<String> contexts = new LinkedHashSet<>();
        for (String name : ctx.queryParams("context")) {
            if (!name.isBlank()) {
                contexts.add(proxyUsers.storedName(ctx, name.trim()));
            }
        }
        Set<String> jobs = new LinkedHashSet<>();
        for (String id : ctx.queryParams("job")) {
            if (!id.isBlank()) {
                jobs.add(id.trim());
            }
        }
        String ownPrefix = proxyUsers.enabled() ? proxyUsers.storedName(ctx, "") : null;
        // subscribed before the reply's headers go out: a client that has them misses no later event
        Subscription subscription = stream.subscribe(new EventFilter(contexts, jobs, progress, ownPrefix), lastEventId);
        HttpSink sink;
        try {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream");
            ctx.res().setCharacterEncoding("UTF-8");
            ctx.header("Cache-Control", "no-cache");
            ctx.header("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
            sink = new HttpSink(ctx);
        } catch (IOException | RuntimeException e) {
            stream.unsubscribe(subscription);
            throw e;
        }
        // the request stays open until the sender ends the stream, on a thread of its own
        ctx.future(() -> {
            stream.send(subscription, sink);
            return sink.done;
        });
    }

    /** The {@code Last-Event-ID} header (what browsers send when they reconnect), else the {@code lastEventId} parameter. */
    private static Long lastEventId(Context ctx) {
        String header = ctx.header("Last-Event-ID");
        String value = header != null && !header.isBlank() ? header : ctx.queryParam("lastEventId");
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.error(
                    400,
                    "Invalid " + (header != null && !header.isBlank() ? "Last-Event-ID" : "lastEventId") + ": '" + value
                            + "' (expected the id of an event, a whole number)");
        }
    }

    /** A stream written to the servlet response; the request ends when {@link #done} completes. */
    private static final class HttpSink implements EventSender.Sink {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final OutputStream out;
        private final EndPoint endPoint;

        HttpSink(Context ctx) throws IOException {
            this.out = ctx.res().getOutputStream();
            this.endPoint = ServletContextRequest.getServletContextRequest(ctx.req())
                    .getConnectionMetaData()
                    .getConnection()
                    .getEndPoint();
        }

        @Override
        public void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() {
            done.complete(null);
        }

        @Override
        public void abort() {
            endPoint.close();
        }
    }
}
