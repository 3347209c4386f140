package spark.jobserver.server.jobs;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.Lazy;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.server.http.ApiException;
import spark.jobserver.server.http.Json;

/**
 * {@code callbackUrl}: when a job ends, its final JSON is POSTed to the URL given with the job. Sent in
 * the background, never holding up the job's end; retried with a growing delay; abandoned with a log
 * line after the last attempt. A reply with status 400 or more counts as a failed attempt.
 */
public final class JobCallbacks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobCallbacks.class);
    static final String STREAM_RESULT = "<Stream result>";

    private final ScheduledExecutorService scheduler;
    private final int maxAttempts;
    private final Duration firstDelay;
    private final double backoff;
    private final Duration timeout;
    private final ExecutorService httpThreads;
    /** Built at the first callback: a client sets up TLS (trust store and all) when it is built. */
    private final Lazy<HttpClient> client;

    /**
     * @param scheduler schedules retries (not closed here)
     */
    public JobCallbacks(JobSettings settings, ScheduledExecutorService scheduler) {
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.maxAttempts = settings.callbackMaxAttempts();
        this.firstDelay = settings.callbackRetryDelay();
        this.backoff = settings.callbackRetryBackoff();
        this.timeout = settings.callbackTimeout();
        this.httpThreads = Executors.newCachedThreadPool(NamedThreads.daemon("jobserver-callback"));
        this.client = Lazy.of(() -> HttpClient.newBuilder()
                .executor(httpThreads)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
    }

    /**
     * Checks a {@code callbackUrl} as given with a job.
     *
     * @throws ApiException 400 unless it is an absolute http or https URL
     */
    public static URI validate(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.error(400, "Invalid callbackUrl '" + url + "': " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.error(400, "Invalid callbackUrl '" + url + "': Callback Url has to be 'http'/'https'");
        }
        if (uri.getHost() == null) {
            throw ApiException.error(400, "Invalid callbackUrl '" + url + "': no host");
        }
        return uri;
    }

    /** The job reached a final state: tells its callback URL, if it has one. */
    void jobEnded(JobInfo job, boolean streamResult) {
        if (job.callbackUrl() == null || job.callbackUrl().isBlank()) {
            return;
        }
        URI uri;
        try {
            uri = validate(job.callbackUrl());
        } catch (ApiException e) {
            LOG.warn("Job {}: not calling back, {}", job.jobId(), e.getMessage());
            return;
        }
        String body = Json.write(payload(job, streamResult));
        attempt(job.jobId(), uri, body, 1, firstDelay);
    }

    /** What the original posts: the sync reply for a success, the job-error envelope otherwise. */
    static Map<String, Object> payload(JobInfo job, boolean streamResult) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("jobId", job.jobId());
        if (job.status() == JobStatus.FINISHED) {
            body.put("result", streamResult ? STREAM_RESULT : Json.read(job.result() == null ? "null" : job.result()));
        } else {
            body.put("status", job.status() == JobStatus.KILLED ? JobStatus.KILLED.name() : JobStatus.ERROR.name());
            body.put("result", job.error());
        }
        return body;
    }

    private void attempt(String jobId, URI uri, String body, int attempt, Duration nextDelay) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        client.get()
                .sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenCompleteAsync(
                        (response, failure) -> {
                            String problem = failure != null
                                    ? failure.toString()
                                    : response.statusCode() >= 400 ? "HTTP " + response.statusCode() : null;
                            if (problem == null) {
                                LOG.info("Job {}: callback to {} delivered (attempt {})", jobId, forLog(uri), attempt);
                                return;
                            }
                            if (attempt >= maxAttempts) {
                                LOG.warn(
                                        "Job {}: callback to {} abandoned after {} attempt(s); last: {}",
                                        jobId,
                                        forLog(uri),
                                        attempt,
                                        problem);
                                return;
                            }
                            LOG.info(
                                    "Job {}: callback to {} failed (attempt {} of {}: {}); retrying in {} ms",
                                    jobId,
                                    forLog(uri),
                                    attempt,
                                    maxAttempts,
                                    problem,
                                    nextDelay.toMillis());
                            try {
                                scheduler.schedule(
                                        () -> attempt(jobId, uri, body, attempt + 1, Duration.ofMillis((long)
                                                (nextDelay.toMillis() * backoff))),
                                        nextDelay.toMillis(),
                                        TimeUnit.MILLISECONDS);
                            } catch (java.util.concurrent.RejectedExecutionException e) {
                                LOG.warn(
                                        "Job {}: callback to {} abandoned, the server is stopping", jobId, forLog(uri));
                            }
                        },
                        httpThreads);
    }

    @Override
    public void close() {
        httpThreads.shutdownNow();
    }

    /** The URL without user info and query, which may carry credentials or tokens. */
    static String forLog(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
