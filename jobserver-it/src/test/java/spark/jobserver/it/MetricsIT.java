package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics} scraped after real jobs and parsed with Prometheus's own text-format parser (the
 * {@code prometheus_client} package), {@code /metricz} as JSON, {@code /statusz}. That they need no login
 * is checked by ShiroIT.
 */
class MetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestingJobServer server;

    @BeforeAll
    static void start() {
        server = TestingJobServer.start();
        server.uploadExamples("test");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Every sample of the scrape, parsed by prometheus_client: {name, labels, value}. */
    private static List<Sample> scrape() throws IOException, InterruptedException {
        TestingJobServer.Reply reply = server.get("/metrics");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.header("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        ProcessBuilder parse = new ProcessBuilder("python3", "-c", """
                        import json, sys
                        from prometheus_client.parser import text_string_to_metric_families
                        for family in text_string_to_metric_families(sys.stdin.read()):
                            for s in family.samples:
                                print(json.dumps({"name": s.name, "labels": s.labels, "value": s.value}))
                        """).redirectError(ProcessBuilder.Redirect.INHERIT);
        parse.environment().put("PYTHONPATH", TestingJobServer.requiredProperty("jobserver.python.tools"));
        Process parser = parse.start();
        try (var in = parser.getOutputStream()) {
            in.write(reply.body().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(parser.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(parser.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(parser.exitValue())
                .as("the Prometheus parser refused the scrape")
                .isZero();
        List<Sample> samples = new ArrayList<>();
        for (String line : out.lines().toList()) {
            JsonNode s = JSON.readTree(line);
            samples.add(new Sample(
                    s.get("name").asText(),
                    JSON.convertValue(s.get("labels"), Map.class),
                    s.get("value").asDouble()));
        }
        return samples;
    }

    record Sample(String name, Map<?, ?> labels, double value) {}

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name)
                        && labels.entrySet().stream()
                                .allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
                .mapToDouble(Sample::value)
                .sum();
    }

    @Test
    void jobsContextsHttpAndTheJvmAreScrapedWithoutALogin() throws Exception {
        server.createContext("metrics-ctx", "");
        for (int i = 0; i < 3; i++) {
            var ok = server.post(
                    "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=metrics-ctx&sync=true",
                    "input.string = a b a");
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        }
        var failed = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.MyErrorJob&context=metrics-ctx&sync=true", "");
        assertThat(failed.json().get("status").asText()).isEqualTo("ERROR");
        var invalid = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&context=metrics-ctx&sync=true", "");
        assertThat(invalid.status()).isEqualTo(400);

        List<Sample> samples = scrape();
        Map<String, String> ctx = Map.of("context", "metrics-ctx");
        assertThat(value(samples, "jobserver_jobs_started_total", ctx)).isEqualTo(4);
        assertThat(value(samples, "jobserver_jobs_ended_total", Map.of("context", "metrics-ctx", "status", "FINISHED")))
                .isEqualTo(3);
        // the job that threw and the one refused by validation
        assertThat(value(samples, "jobserver_jobs_ended_total", Map.of("context", "metrics-ctx", "status", "ERROR")))
                .isEqualTo(2);
        assertThat(value(samples, "jobserver_job_duration_seconds_count", Map.of("status", "FINISHED")))
                .isEqualTo(3);
        assertThat(value(samples, "jobserver_job_duration_seconds_bucket", Map.of("status", "FINISHED", "le", "+Inf")))
                .isEqualTo(3);
        assertThat(value(samples, "jobserver_contexts", Map.of("state", "RUNNING")))
                .isEqualTo(1);
        assertThat(value(samples, "jobserver_jobs_active", Map.of())).isZero();
        assertThat(value(samples, "jobserver_driver_heartbeat_age_max_seconds", Map.of()))
                .isBetween(0.0, 60.0);
        // HTTP requests by route template, not by path
        assertThat(value(samples, "http_server_requests_seconds_count", Map.of("method", "POST", "route", "/jobs")))
                .isGreaterThanOrEqualTo(5);
        assertThat(samples.stream().map(Sample::labels).map(l -> String.valueOf(l.get("route"))))
                .doesNotContain("/contexts/metrics-ctx");
        assertThat(value(
                        samples,
                        "http_server_requests_seconds_count",
                        Map.of("route", "/contexts/{name}", "method", "POST")))
                .isEqualTo(1);
        // the server's JVM
        assertThat(value(samples, "jvm_memory_used_bytes", Map.of("area", "heap")))
                .isPositive();
        assertThat(value(samples, "process_uptime_seconds", Map.of())).isPositive();

        // an ad-hoc context's jobs count under one label, whatever its name
        var adhoc = server.post(
                "/jobs?appName=test&classPath=spark.jobserver.WordCountExample&sync=true&timeout=60",
                "input.string = x");
        assertThat(adhoc.status()).as(adhoc.toString()).isEqualTo(200);
        List<Sample> after = scrape();
        assertThat(value(after, "jobserver_jobs_started_total", Map.of("context", "adhoc")))
                .isEqualTo(1);
        assertThat(after.stream()
                        .filter(s -> s.name().startsWith("jobserver_jobs_"))
                        .map(s -> String.valueOf(s.labels().get("context"))))
                .allMatch(c -> c.equals("metrics-ctx") || c.equals("adhoc") || c.equals("null"));
        server.delete("/contexts/metrics-ctx");
    }

    @Test
    void metriczIsJsonGroupedByMetricAndStatuszIsAFileOrNotFound() throws Exception {
        var metricz = server.get("/metricz");
        assertThat(metricz.status()).isEqualTo(200);
        JsonNode json = metricz.json();
        assertThat(json.has("jvm.memory.used")).isTrue();
        JsonNode heap = json.get("jvm.memory.used").get(0);
        assertThat(heap.has("tags")).isTrue();
        assertThat(heap.get("value").asDouble()).isPositive();

        // the original served statusz.html from its working directory; the tests run in jobserver-it/
        var statusz = server.get("/statusz");
        assertThat(statusz.status()).isEqualTo(404);
        assertThat(statusz.json().get("status").asText()).isEqualTo("ERROR");
        assertThat(server.await("/healthz", r -> r.status() == 200, Duration.ofSeconds(5))
                        .status())
                .isEqualTo(200);
    }
}
