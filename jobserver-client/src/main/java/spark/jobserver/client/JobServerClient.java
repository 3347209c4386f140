package spark.jobserver.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * The job server's REST API from Java: one method per route (each names its route with {@link ApiRoute}),
 * the JSON replies as records, error replies as {@link JobServerException}s carrying the server's JSON, and
 * connection failures as {@link JobServerConnectionException}.
 *
 * <p>Retries ({@link RetryPolicy}): a GET, and each of the three POSTs that start or store something
 * ({@code POST /jobs}, {@code POST /contexts/<name>}, {@code POST /binaries/<appName>}), is sent again after a
 * connection failure, a 429, a 503, or a 409 with {@code Retry-After}. Those POSTs carry an
 * {@code Idempotency-Key}, one per call and the same on its retries, so that the server runs them once
 * (docs/retries.md). Other calls (DELETE, PUT, {@code POST /data}) are sent once.
 *
 * <p>Thread-safe; one instance per server is enough; {@link #close} it when done. No Spark, no server
 * classes: {@code java.net.http} and Jackson only.
 */
public final class JobServerClient implements AutoCloseable {
    private static final String TEXT = "text/plain; charset=UTF-8";

    private final URI baseUrl;
    private final HttpClient http;
    private final String authorization;
    private final Duration requestTimeout;
    private final RetryPolicy retryPolicy;
    private final Supplier<String> idempotencyKeys;

    private JobServerClient(Builder builder) {
        String url = builder.baseUrl.toString();
        this.baseUrl = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (builder.sslContext != null) {
            http.sslContext(builder.sslContext);
        } else if ("http".equalsIgnoreCase(baseUrl.getScheme())) {
            http.sslContext(noTls());
        }
        this.http = http.build();
        this.authorization = builder.authorization;
        this.requestTimeout = builder.requestTimeout;
        this.retryPolicy = builder.retryPolicy;
        this.idempotencyKeys = builder.idempotencyKeys;
    }

    /**
     * A TLS context that trusts nothing, for a client of an {@code http://} server: given none, the JDK's
     * client makes the default one, whose trust store takes a quarter of a command line client's run to
     * load. Never used for a handshake: the client follows no redirects, so it only talks to its base URL.
     */
    private static SSLContext noTls() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }

    /**
     * Closes the HTTP client where the JVM can (Java 21 and newer): its selector thread then ends, and a
     * JVM that exits right after (a command line client) does not wait for it.
     */
    @Override
    public void close() {
        if (http instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing only releases threads; what was asked is done
            }
        }
    }

    public static Builder builder(String baseUrl) {
        return new Builder(URI.create(requireNonNull(baseUrl, "baseUrl is null")));
    }

    public static Builder builder(URI baseUrl) {
        return new Builder(requireNonNull(baseUrl, "baseUrl is null"));
    }

    public URI baseUrl() {
        return baseUrl;
    }

    // ---------------------------------------------------------------- binaries

    /** Every app's newest binary, by app name. */
    @ApiRoute(method = "GET", path = "/binaries")
    public List<Binary> listBinaries() {
        JsonNode apps = json(get("/binaries"));
        List<Binary> binaries = new ArrayList<>();
        apps.fields()
                .forEachRemaining(app -> binaries.add(new Binary(
                        app.getKey(),
                        app.getValue().path("binary-type").asText(null),
                        app.getValue().path("upload-time").asText(null))));
        return List.copyOf(binaries);
    }

    /** An app's newest binary; {@link NotFoundException} when there is none. */
    @ApiRoute(method = "GET", path = "/binaries/{appName}")
    public Binary getBinary(String appName) {
        return Json.convert(json(get("/binaries/" + segment(appName))), Binary.class);
    }

    /** Uploads a binary, its type taken from the file's extension ({@code .jar}, {@code .egg}, {@code .whl}). */
    @ApiRoute(method = "POST", path = "/binaries/{appName}")
    public void uploadBinary(String appName, Path file) {
        BinaryType type = BinaryType.fromFileName(file)
                .orElseThrow(() -> new IllegalArgumentException(
                        "Cannot tell the binary type of " + file + " (not .jar, .egg or .whl): give it"));
        uploadBinary(appName, file, type);
    }

    /** Uploads a binary of the given type; the same name again is a new version. */
    @ApiRoute(method = "POST", path = "/binaries/{appName}")
    public void uploadBinary(String appName, Path file, BinaryType type) {
        requireNonNull(type, "type is null");
        HttpRequest.BodyPublisher body = fileBody(file);
        execute(new Call("POST", "/binaries/" + segment(appName))
                        .body(() -> body, type.contentType())
                        .idempotent(idempotencyKeys.get()))
                .discard();
    }

    /** Deletes every version of an app's binary; {@link ForbiddenException} while a running job uses it. */
    @ApiRoute(method = "DELETE", path = "/binaries/{appName}")
    public void deleteBinary(String appName) {
        execute(new Call("DELETE", "/binaries/" + segment(appName))).discard();
    }

    // ---------------------------------------------------------------- contexts

    /** The names of the running contexts. */
    @ApiRoute(method = "GET", path = "/contexts")
    public List<String> listContexts() {
        return Json.MAPPER.convertValue(json(get("/contexts")), new TypeReference<List<String>>() {});
    }

    /** The newest context of that name, in any state. */
    @ApiRoute(method = "GET", path = "/contexts/{name}")
    public ContextInfo getContext(String name) {
        return Json.convert(json(get("/contexts/" + segment(name))), ContextInfo.class);
    }

    /**
     * Starts a context and waits until it runs. {@code settings} are the context settings (docs/contexts.md:
     * {@code num-cpu-cores}, {@code context-factory}, {@code spark.*}, {@code launcher.*}, dotted keys nest),
     * sent as query parameters. Answers the server's message ({@code Context initialized}).
     */
    @ApiRoute(method = "POST", path = "/contexts/{name}")
    public String createContext(String name, Map<String, String> settings) {
        Query query = new Query();
        new LinkedHashMap<>(settings).forEach(query::add);
        return message(execute(new Call("POST", "/contexts/" + segment(name) + query)
                .body(() -> HttpRequest.BodyPublishers.noBody(), TEXT)
                .idempotent(idempotencyKeys.get())));
    }

    public String createContext(String name) {
        return createContext(name, Map.of());
    }

    /**
     * Stops a context and its jobs; {@code force} kills its driver. Answers {@code Context stopped}, or, when
     * the stop is still going on after the server's deletion timeout (202), {@code Context stop in progress}.
     */
    @ApiRoute(method = "DELETE", path = "/contexts/{name}")
    public String deleteContext(String name, boolean force) {
        Response reply = execute(new Call("DELETE", "/contexts/" + segment(name) + (force ? "?force=true" : "")));
        return reply.status() == 202 ? "Context stop in progress" : message(reply);
    }

    public String deleteContext(String name) {
        return deleteContext(name, false);
    }

    /**
     * {@code PUT /contexts?reset=reboot}: stops every context and starts the configured ones again;
     * {@code wait} false answers at once and does it in the background.
     */
    @ApiRoute(method = "PUT", path = "/contexts")
    public String resetContexts(boolean wait) {
        return message(execute(new Call("PUT", "/contexts?reset=reboot&sync=" + wait)));
    }

    /** The named objects of a running context (their metadata). */
    @ApiRoute(method = "GET", path = "/contexts/{name}/objects")
    public List<NamedObject> listNamedObjects(String context) {
        return Json.MAPPER.convertValue(
                json(get("/contexts/" + segment(context) + "/objects")), new TypeReference<List<NamedObject>>() {});
    }

    /**
     * A page of a context's driver log. {@code offset}: a byte offset, or null for the start; {@code limit}:
     * the most bytes, or null for the server's default (1 MiB).
     */
    @ApiRoute(method = "GET", path = "/contexts/{name}/logs")
    public LogPage contextLogs(String context, Long offset, Integer limit) {
        return logPage("/contexts/" + segment(context) + "/logs", offset, limit);
    }

    /**
     * A context's driver log from {@code offset} ({@code end}, or null for the start) on, followed: the
     * stream's lines come as the driver writes them, until the context ends or the stream is closed.
     */
    @ApiRoute(method = "GET", path = "/contexts/{name}/logs")
    public Stream<String> followContextLogs(String context, String offset) {
        return follow("/contexts/" + segment(context) + "/logs", offset);
    }

    // ---------------------------------------------------------------- jobs

    /** Starts a job and answers at once (202): its report, status {@code STARTED}. */
    @ApiRoute(method = "POST", path = "/jobs")
    public JobReport submitJob(JobRequest job) {
        Response reply = execute(jobCall(job, job.query()));
        return Json.convert(reply.json(), JobReport.class);
    }

    /**
     * Starts a job and waits for its end, at most {@code timeout} (the server's {@code timeout}; after it the
     * server answers 500 and the job goes on running). A job that failed is a {@link JobResult} with status
     * ERROR; a validation failure is a {@link ValidationFailedException}.
     */
    @ApiRoute(method = "POST", path = "/jobs")
    public JobResult submitJobSync(JobRequest job, Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        Query query = job.query().add("sync", "true").add("timeout", Long.toString(seconds));
        Duration wait = timeout.plusSeconds(30);
        Call call = jobCall(job, query).timeout(wait.compareTo(requestTimeout) > 0 ? wait : requestTimeout);
        return Json.convert(execute(call).json(), JobResult.class);
    }

    private Call jobCall(JobRequest job, Query query) {
        String config = job.config();
        return new Call("POST", "/jobs" + query)
                .body(() -> HttpRequest.BodyPublishers.ofString(config, UTF_8), TEXT)
                .idempotent(job.idempotencyKey() != null ? job.idempotencyKey() : idempotencyKeys.get());
    }

    /** The newest jobs first, at most {@code limit} (null: the server's 50), of a status (null: any). */
    @ApiRoute(method = "GET", path = "/jobs")
    public List<JobReport> listJobs(String status, Integer limit) {
        Query query = new Query().addIfPresent("status", status).addIfPresent("limit", limit);
        return Json.MAPPER.convertValue(json(get("/jobs" + query)), new TypeReference<List<JobReport>>() {});
    }

    public List<JobReport> listJobs() {
        return listJobs(null, null);
    }

    /** A job's report; a FINISHED job's carries its result. */
    @ApiRoute(method = "GET", path = "/jobs/{id}")
    public JobReport getJob(String jobId) {
        return Json.convert(json(get("/jobs/" + segment(jobId))), JobReport.class);
    }

    /**
     * Waits until a job has ended, reading its report every {@code pollInterval}, and answers the last report.
     * {@code onReport} sees each report read (null: none).
     */
    public JobReport awaitJob(String jobId, Duration pollInterval, java.util.function.Consumer<JobReport> onReport) {
        while (true) {
            JobReport report = getJob(jobId);
            if (onReport != null) {
                onReport.accept(report);
            }
            if (report.isDone()) {
                return report;
            }
            sleep(pollInterval);
        }
    }

    /** The configuration the job was posted with, as a JSON object. */
    @ApiRoute(method = "GET", path = "/jobs/{id}/config")
    public JsonNode getJobConfig(String jobId) {
        return json(get("/jobs/" + segment(jobId) + "/config"));
    }

    /** Kills a running job; {@link NotFoundException} when it is unknown or no longer running. */
    @ApiRoute(method = "DELETE", path = "/jobs/{id}")
    public KillReply killJob(String jobId) {
        return Json.convert(
                execute(new Call("DELETE", "/jobs/" + segment(jobId))).json(), KillReply.class);
    }

    /** How far a job's Spark work is. */
    @ApiRoute(method = "GET", path = "/jobs/{id}/progress")
    public JobProgress getJobProgress(String jobId) {
        return Json.convert(json(get("/jobs/" + segment(jobId) + "/progress")), JobProgress.class);
    }

    /** A page of a job's log lines; {@code offset} and {@link LogPage#nextOffset()} are offsets in the driver log. */
    @ApiRoute(method = "GET", path = "/jobs/{id}/logs")
    public LogPage jobLogs(String jobId, Long offset, Integer limit) {
        return logPage("/jobs/" + segment(jobId) + "/logs", offset, limit);
    }

    /** A job's log lines from {@code offset} on ({@code end}, or null for the start), until the job ends. */
    @ApiRoute(method = "GET", path = "/jobs/{id}/logs")
    public Stream<String> followJobLogs(String jobId, String offset) {
        return follow("/jobs/" + segment(jobId) + "/logs", offset);
    }

    // ---------------------------------------------------------------- data files

    /** The stored data files' absolute paths on the server. */
    @ApiRoute(method = "GET", path = "/data")
    public List<String> listDataFiles() {
        return Json.MAPPER.convertValue(json(get("/data")), new TypeReference<List<String>>() {});
    }

    /**
     * Stores a file under a name starting with {@code prefix}; answers its absolute path on the server (what
     * jobs are given). Not retried: the route takes no Idempotency-Key, and a repeat would store it twice.
     */
    @ApiRoute(method = "POST", path = "/data/{prefix}")
    public String uploadDataFile(String prefix, Path file) {
        HttpRequest.BodyPublisher body = fileBody(file);
        Response reply =
                execute(new Call("POST", "/data/" + segment(prefix)).body(() -> body, "application/octet-stream"));
        return reply.json().path("result").path("filename").asText();
    }

    /** Deletes a stored data file, by its path as {@link #listDataFiles()} shows it. */
    @ApiRoute(method = "DELETE", path = "/data/{path}")
    public void deleteDataFile(String path) {
        execute(new Call("DELETE", "/data/" + segment(path))).discard();
    }

    /** Deletes every stored data file; {@code wait} false answers at once. */
    @ApiRoute(method = "PUT", path = "/data")
    public String resetDataFiles(boolean wait) {
        return message(execute(new Call("PUT", "/data?reset=reboot&sync=" + wait)));
    }

    // ---------------------------------------------------------------- events, health, metrics, the API

    /** Opens the event stream ({@code GET /events}); close it when done. */
    @ApiRoute(method = "GET", path = "/events")
    public EventStream events(EventQuery query) {
        Call call = get("/events" + query.query()).streaming().header("Accept", "text/event-stream");
        if (query.lastEventId() != null) {
            call.header("Last-Event-ID", query.lastEventId());
        }
        return new EventStream(execute(call).stream());
    }

    /** Whether the server answers {@code /healthz} with 200; false for 5xx, connection failures propagate. */
    @ApiRoute(method = "GET", path = "/healthz")
    public boolean isHealthy() {
        try {
            execute(get("/healthz")).discard();
            return true;
        } catch (ServerErrorException | UnavailableException e) {
            return false;
        }
    }

    /** The metrics in the Prometheus text format. */
    @ApiRoute(method = "GET", path = "/metrics")
    public String metrics() {
        return execute(get("/metrics")).text();
    }

    /** The metrics as JSON, grouped by name (the original's {@code /metricz}). */
    @ApiRoute(method = "GET", path = "/metricz")
    public JsonNode metricsJson() {
        return json(get("/metricz"));
    }

    /** The server's {@code statusz.html}; {@link NotFoundException} when it has none. */
    @ApiRoute(method = "GET", path = "/statusz")
    public String statusPage() {
        return execute(get("/statusz")).text();
    }

    /** The server's OpenAPI 3 description of its API. */
    @ApiRoute(method = "GET", path = "/openapi.json")
    public JsonNode openApi() {
        return json(get("/openapi.json"));
    }

    // ---------------------------------------------------------------- HTTP

    private Call get(String pathAndQuery) {
        return new Call("GET", pathAndQuery).retryable();
    }

    private JsonNode json(Call call) {
        return execute(call).json();
    }

    private static String message(Response reply) {
        JsonNode body = reply.json();
        return body.path("result").isTextual()
                ? body.get("result").asText()
                : body.path("status").asText();
    }

    private LogPage logPage(String path, Long offset, Integer limit) {
        Query query = new Query().addIfPresent("offset", offset).addIfPresent("limit", limit);
        Response reply = execute(get(path + query));
        return new LogPage(reply.text(), reply.longHeader("X-Next-Offset"), reply.longHeader("X-Log-Size"));
    }

    private Stream<String> follow(String path, String offset) {
        Query query = new Query().add("follow", "true").addIfPresent("offset", offset);
        InputStream body = execute(get(path + query).streaming()).stream();
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, UTF_8));
        return reader.lines().onClose(() -> {
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static HttpRequest.BodyPublisher fileBody(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new FileNotFoundException(file.toString());
            }
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("No such file: " + file, e);
        }
    }

    private static String segment(String value) {
        requireNonNull(value, "path parameter is null");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("empty path parameter");
        }
        return Query.encode(value);
    }

    /** Sends a call, retrying as {@link RetryPolicy} says; an error status becomes a {@link JobServerException}. */
    private Response execute(Call call) {
        boolean retryable = call.retryable || call.idempotencyKey != null;
        int attempts = retryable ? retryPolicy.maxAttempts() : 1;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<InputStream> response;
            try {
                response = http.send(
                        call.request(baseUrl, authorization, requestTimeout),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpConnectTimeoutException e) {
                if (attempt < attempts) {
                    sleep(retryPolicy.backoff(attempt));
                    continue;
                }
                throw new JobServerConnectionException("Cannot connect to " + baseUrl + ": " + e.getMessage(), e);
            } catch (HttpTimeoutException e) {
                throw new JobServerConnectionException(
                        call.method + " " + call.pathAndQuery + ": no answer within the request timeout", e);
            } catch (IOException e) {
                if (attempt < attempts) {
                    sleep(retryPolicy.backoff(attempt));
                    continue;
                }
                throw new JobServerConnectionException(
                        "Cannot reach " + baseUrl + " (" + call.method + " " + call.pathAndQuery + "): " + describe(e),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JobServerConnectionException("Interrupted", new InterruptedIOException());
            }
            int status = response.statusCode();
            if (status < 400) {
                return new Response(status, response);
            }
            String body = readAll(response.body());
            JobServerException.Failure failure = failure(status, body, retryAfter(response));
            if (attempt < attempts && retriable(failure)) {
                Duration wait = failure.retryAfter() != null ? failure.retryAfter() : retryPolicy.backoff(attempt);
                if (wait.compareTo(retryPolicy.maxBackoff()) <= 0) {
                    sleep(wait);
                    continue;
                }
            }
            throw JobServerException.of(failure);
        }
    }

    private static boolean retriable(JobServerException.Failure failure) {
        return switch (failure.statusCode()) {
            case 429, 503 -> true;
            case 409 -> failure.retryAfter() != null;
            default -> false;
        };
    }

    static JobServerException.Failure failure(int status, String body, Duration retryAfter) {
        JsonNode json = Json.parseLenient(body);
        String label = json.path("status").asText("ERROR");
        JsonNode result = json.path("result");
        String message;
        if (result.isTextual()) {
            message = result.asText();
        } else if (result.isObject()) {
            message = result.path("message").asText(result.path("errorClass").asText(""));
        } else {
            message = json.isTextual() ? Json.abbreviate(json.asText()) : Json.abbreviate(body);
        }
        return new JobServerException.Failure(status, label, message, json, retryAfter);
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpResponse<?> response) {
        return response.headers()
                .firstValue("Retry-After")
                .map(JobServerClient::parseRetryAfter)
                .orElse(null);
    }

    static Duration parseRetryAfter(String value) {
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException e) {
            try {
                Duration until = Duration.between(
                        ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message != null ? message : e.getClass().getSimpleName();
    }

    private static String readAll(InputStream body) {
        try (body) {
            return new String(body.readAllBytes(), UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobServerConnectionException("Interrupted while waiting to retry", new InterruptedIOException());
        }
    }

    /** One logical call: what to send, and whether it may be sent again. */
    private static final class Call {
        final String method;
        final String pathAndQuery;
        final Map<String, String> headers = new LinkedHashMap<>();
        Supplier<HttpRequest.BodyPublisher> body = HttpRequest.BodyPublishers::noBody;
        boolean retryable;
        boolean streaming;
        String idempotencyKey;
        Duration timeout;

        Call(String method, String pathAndQuery) {
            this.method = method;
            this.pathAndQuery = pathAndQuery;
        }

        Call body(Supplier<HttpRequest.BodyPublisher> body, String contentType) {
            this.body = body;
            headers.put("Content-Type", contentType);
            return this;
        }

        Call retryable() {
            this.retryable = true;
            return this;
        }

        /** Safe to send again: the server runs a key once. */
        Call idempotent(String key) {
            this.idempotencyKey = requireNonNull(key, "idempotency key is null");
            headers.put("Idempotency-Key", key);
            return this;
        }

        /** A reply that stays open (events, a followed log): no request timeout. */
        Call streaming() {
            this.streaming = true;
            return this;
        }

        Call timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        HttpRequest request(URI base, String authorization, Duration defaultTimeout) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .method(method, body.get())
                    .header("Accept", "application/json");
            if (!streaming) {
                request.timeout(timeout != null ? timeout : defaultTimeout);
            }
            headers.forEach(request::setHeader);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return request.build();
        }
    }

    /** A reply with a success status; its body read once, as JSON, text or a stream. */
    private record Response(int status, HttpResponse<InputStream> response) {
        JsonNode json() {
            String text = text();
            return text.isBlank() ? Json.MAPPER.nullNode() : Json.parse(text);
        }

        String text() {
            try (InputStream body = response.body()) {
                return new String(body.readAllBytes(), UTF_8);
            } catch (IOException e) {
                throw new JobServerConnectionException("The connection failed while reading the answer", e);
            }
        }

        InputStream stream() {
            return response.body();
        }

        void discard() {
            readAll(response.body());
        }

        long longHeader(String name) {
            return response.headers().firstValue(name).map(Long::parseLong).orElse(-1L);
        }
    }

    /** Configures a {@link JobServerClient}. */
    public static final class Builder {
        private final URI baseUrl;
        private String authorization;
        private SSLContext sslContext;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofMinutes(5);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Supplier<String> idempotencyKeys = () -> UUID.randomUUID().toString();

        private Builder(URI baseUrl) {
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("The server URL must be http:// or https://: " + baseUrl);
            }
            this.baseUrl = baseUrl;
        }

        /** HTTP Basic credentials (the Shiro access control; Keycloak accepts them too). */
        public Builder basicAuth(String user, String password) {
            requireNonNull(user, "user is null");
            requireNonNull(password, "password is null");
            this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
            return this;
        }

        /** A bearer token (a Keycloak/OpenID Connect access token). */
        public Builder bearerToken(String token) {
            this.authorization = "Bearer " + requireNonNull(token, "token is null");
            return this;
        }

        /** The TLS context for https:// (a trust store with the server's certificate, a client key). */
        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = requireNonNull(sslContext, "sslContext is null");
            return this;
        }

        /** How long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        /**
         * How long to wait for an answer's headers (default 5 min: context creation waits for a driver); a sync
         * job waits at least its own timeout; followed logs and events wait without limit.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = requireNonNull(policy, "policy is null");
            return this;
        }

        /** Where the Idempotency-Keys come from (default: a random UUID per call). */
        public Builder idempotencyKeys(Supplier<String> keys) {
            this.idempotencyKeys = requireNonNull(keys, "keys is null");
            return this;
        }

        public JobServerClient build() {
            return new JobServerClient(this);
        }
    }
}
