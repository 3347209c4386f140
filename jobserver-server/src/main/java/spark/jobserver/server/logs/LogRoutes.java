package spark.jobserver.server.logs;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.server.auth.ProxyUsers;
import spark.jobserver.server.http.ApiDoc;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.ApiRoutes;
import spark.jobserver.server.http.Requests;

/**
 * {@code GET /contexts/<name>/logs} and {@code GET /jobs/<id>/logs}: a driver log, or the lines one job
 * wrote to it, as text in pages by byte offset ({@code offset}, {@code limit}; {@code X-Next-Offset}
 * answers where the next page starts) or followed ({@code follow=true}: the response stays open and
 * new lines are written as they come, read on the scheduler's timer and written on an HTTP thread).
 */
public final class LogRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(LogRoutes.class);
    static final String NEXT_OFFSET = "X-Next-Offset";
    static final String LOG_SIZE = "X-Log-Size";
    /** How much of the driver log one page of a job's lines reads at most. */
    static final int JOB_SCAN = 4 << 20;

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final String TEXT = "text/plain; charset=utf-8";

    private final LogService service;
    private final ProxyUsers proxyUsers;
    private final LogSettings settings;
    private final ScheduledExecutorService scheduler;
    private final Executor replies;
    private final Clock clock;

    /**
     * @param scheduler times the reads of followed logs (its threads never read nor write)
     * @param replies where followed logs are read and written (HTTP threads)
     */
    public LogRoutes(
            LogService service,
            ProxyUsers proxyUsers,
            LogSettings settings,
            ScheduledExecutorService scheduler,
            Executor replies,
            Clock clock) {
        this.service = requireNonNull(service, "service is null");
        this.proxyUsers = requireNonNull(proxyUsers, "proxyUsers is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.replies = requireNonNull(replies, "replies is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public void register(RoutesConfig routes) {
        ApiRoutes api = ApiRoutes.on(routes);
        api.get(
                "/contexts/{name}/logs",
                ctx -> {
                    String name = proxyUsers.storedName(ctx, ctx.pathParam("name"));
                    serve(ctx, service.context(name), null);
                },
                doc -> paged(doc.summary("A context's driver log, in pages or followed")
                                .description("The running context of that name, else the newest ended one. See"
                                        + " docs/observability.md#logs.")
                                .tag("contexts")
                                .pathParam("name", "the context's name")
                                .header(
                                        "Range",
                                        "`bytes=<from>-<to>`, `bytes=<from>-` or `bytes=-<n>` (the last n bytes): exact"
                                                + " bytes, answered 206; ignored with offset or follow"))
                        .response(206, "The bytes of the Range", TEXT, new StringSchema())
                        .responseHeader(206, "Content-Range", new StringSchema(), "`bytes <from>-<to>/<size>`")
                        .responseHeader(
                                206, NEXT_OFFSET, new IntegerSchema().format("int64"), "where the next page starts")
                        .responseHeader(206, LOG_SIZE, new IntegerSchema().format("int64"), "the log's size when read")
                        .error(404, "can't find context with name <name>; context <name> has no driver log")
                        .error(416, "Invalid Range; Range <range> is outside the log's <size> bytes"));
        api.get(
                "/jobs/{id}/logs",
                ctx -> {
                    String jobId = ctx.pathParam("id");
                    serve(ctx, service.job(jobId), jobId);
                },
                doc -> paged(doc.summary("The lines one job wrote to its context's driver log, in pages or followed")
                                .description(
                                        "`limit` counts the job's bytes; `offset` and X-Next-Offset stay offsets in"
                                                + " the driver log, and a page reads at most 4 MiB of it: a page may be empty"
                                                + " while X-Next-Offset is below X-Log-Size. See docs/observability.md#logs.")
                                .tag("jobs")
                                .pathParam("id", "the job's id"))
                        .error(404, "No such job ID <id>; the driver log of job <id> is gone"));
    }

    /** What both log routes share: the paging parameters, the text reply and its cursor headers. */
    private static ApiDoc paged(ApiDoc doc) {
        return doc.queryParam(
                        "offset",
                        new StringSchema().pattern("^(end|[0-9]+)$"),
                        "a byte offset in the driver log (default 0), or `end` for its current end",
                        false)
                .intParam("limit", 1, LogSettings.DEFAULT_PAGE_SIZE, "the most bytes a page answers")
                .booleanParam("follow", false, "keep the reply open (chunked) and write new lines as they come")
                .response(200, "A page of whole lines, or the followed log", TEXT, new StringSchema())
                .responseHeader(200, NEXT_OFFSET, new IntegerSchema().format("int64"), "where the next page starts")
                .responseHeader(200, LOG_SIZE, new IntegerSchema().format("int64"), "the log's size when read")
                .error(400, "Invalid value for offset, limit (at most spark.jobserver.logs.max-page-size) or follow");
    }

    /** @param jobId the job whose lines are wanted; null for the whole log */
    private void serve(Context ctx, LogService.Source source, String jobId) throws IOException {
        boolean follow = Requests.booleanParam(ctx, "follow", false);
        int limit = limitParam(ctx);
        String range = ctx.header("Range");
        if (jobId == null && !follow && range != null && ctx.queryParam("offset") == null) {
            Matcher m = RANGE.matcher(range.trim());
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                serveRange(ctx, source, m.group(1), m.group(2));
                return;
            }
            // a Range this server does not understand (several ranges, other units) is ignored, as RFC 9110 allows
        }
        long offset = offsetParam(ctx, source);
        if (follow) {
            follow(ctx, source, jobId, offset);
            return;
        }
        LogPages.Page page = read(source, jobId, offset, limit);
        if (jobId == null) {
            ctx.header("Accept-Ranges", "bytes");
        }
        ctx.header(NEXT_OFFSET, Long.toString(page.next()))
                .header(LOG_SIZE, Long.toString(page.size()))
                .status(200)
                .contentType(TEXT)
                .result(page.bytes());
    }

    private LogPages.Page read(LogService.Source source, String jobId, long offset, int limit) throws IOException {
        return jobId == null
                ? LogPages.read(source.file(), offset, limit)
                : LogPages.job(source.file(), jobId, offset, limit, Math.max(limit, JOB_SCAN));
    }

    /** {@code Range: bytes=a-b}, {@code bytes=a-} or {@code bytes=-n} (the last n bytes): 206 with Content-Range. */
    private void serveRange(Context ctx, LogService.Source source, String first, String last) throws IOException {
        long size = Files.size(source.file());
        long from;
        long to;
        try {
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                from = Math.max(0, size - suffix);
                to = size - 1;
            } else {
                from = Long.parseLong(first);
                to = last.isEmpty() ? size - 1 : Long.parseLong(last);
            }
        } catch (NumberFormatException e) {
            throw ApiException.error(416, "Invalid Range: " + ctx.header("Range"));
        }
        if (from >= size || to < from) {
            ctx.header("Content-Range", "bytes */" + size);
            throw ApiException.error(416, "Range " + ctx.header("Range") + " is outside the log's " + size + " bytes");
        }
        to = Math.min(Math.min(to, size - 1), from + settings.maxPageSize() - 1);
        LogPages.Page page = LogPages.range(source.file(), from, to);
        ctx.header("Accept-Ranges", "bytes")
                .header("Content-Range", "bytes " + from + "-" + (from + page.bytes().length - 1) + "/" + page.size())
                .header(NEXT_OFFSET, Long.toString(page.next()))
                .header(LOG_SIZE, Long.toString(page.size()))
                .status(206)
                .contentType(TEXT)
                .result(page.bytes());
    }

    private int limitParam(Context ctx) {
        int limit = Requests.intParam(ctx, "limit", Math.min(LogSettings.DEFAULT_PAGE_SIZE, settings.maxPageSize()), 1);
        if (limit > settings.maxPageSize()) {
            throw ApiException.error(
                    400,
                    "Invalid value for limit: '" + ctx.queryParam("limit") + "' (must be at most "
                            + settings.maxPageSize() + ")");
        }
        return limit;
    }

    /** A byte offset (0 when absent), or {@code end} for the log's current end. */
    private static long offsetParam(Context ctx, LogService.Source source) throws IOException {
        String value = ctx.queryParam("offset");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        if (value.equals("end")) {
            return Files.size(source.file());
        }
        try {
            long offset = Long.parseLong(value.trim());
            if (offset < 0) {
                throw ApiException.error(
                        400, "Invalid value for offset: '" + value + "' (must be at least 0, or 'end')");
            }
            return offset;
        } catch (NumberFormatException e) {
            throw ApiException.error(
                    400, "Invalid value for offset: '" + value + "' (expected a byte offset or 'end')");
        }
    }

    private void follow(Context ctx, LogService.Source source, String jobId, long offset) throws IOException {
        ctx.status(200).contentType(TEXT);
        ctx.header("Cache-Control", "no-cache");
        // not Javalin's output stream: it may compress, which holds lines back
        OutputStream out = ctx.res().getOutputStream();
        Follower follower =
                new Follower(out, source, jobId, offset, clock.instant().plus(settings.followTimeout()));
        ctx.future(() -> {
            follower.next(0);
            return follower.done;
        });
    }

    /** One followed log: each step reads what is new, writes it, and schedules the next; never two at once. */
    private final class Follower {
        private final OutputStream out;
        private final LogService.Source source;
        private final String jobId;
        private final Instant deadline;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private long position;
        private boolean draining;
        private boolean committed;

        Follower(OutputStream out, LogService.Source source, String jobId, long offset, Instant deadline) {
            this.out = out;
            this.source = source;
            this.jobId = jobId;
            this.position = offset;
            this.deadline = deadline;
        }

        void next(long delayMillis) {
            try {
                scheduler.schedule(
                        () -> {
                            try {
                                replies.execute(this::step);
                            } catch (RejectedExecutionException e) {
                                done.complete(null);
                            }
                        },
                        delayMillis,
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                done.complete(null); // the server stops
            }
        }

        private void step() {
            try {
                long before = position;
                LogPages.Page page = read(source, jobId, position, settings.maxPageSize());
                position = page.next();
                if (page.bytes().length > 0 || !committed) {
                    // the first step sends the headers even when there is nothing yet: the client waits on them
                    out.write(page.bytes());
                    out.flush();
                    committed = true;
                }
                if (position < page.size() && position > before) {
                    next(0); // more is there already
                } else if (draining || !clock.instant().isBefore(deadline)) {
                    done.complete(null);
                } else {
                    // once the context or job has ended, one more read takes what it wrote last
                    draining = source.ended().getAsBoolean();
                    next(draining ? 0 : settings.followInterval().toMillis());
                }
            } catch (IOException e) {
                LOG.debug("A follower of {} went away: {}", source.file(), e.toString());
                done.complete(null);
            } catch (RuntimeException e) {
                LOG.warn("Following {} failed", source.file(), e);
                done.complete(null);
            }
        }
    }
}
