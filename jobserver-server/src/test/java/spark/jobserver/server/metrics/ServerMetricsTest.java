package spark.jobserver.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobStatus;

class ServerMetricsTest {
    private static JobInfo job(String context, JobStatus status, Instant start, Instant end) {
        return new JobInfo("j", "c", context, "app", "C", List.of("app"), "{}", status, start, end, null, null, null);
    }

    @Test
    void jobsAreCountedByContextAndStatusAndAdHocContextsShareOneLabel() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            Instant start = Instant.parse("2026-11-30T10:00:00Z");
            metrics.jobStarted(job("ctx", JobStatus.RUNNING, start, null), false);
            metrics.jobEnded(job("ctx", JobStatus.FINISHED, start, start.plusMillis(1500)), false);
            metrics.jobStarted(job("1a2b3c4d-spark.jobserver.WordCountExample", JobStatus.RUNNING, start, null), true);
            metrics.jobEnded(job("1a2b3c4d-spark.jobserver.WordCountExample", JobStatus.ERROR, start, start), true);

            String text = metrics.prometheusText();
            assertThat(text)
                    .contains("jobserver_jobs_started_total{context=\"ctx\"} 1.0")
                    .contains("jobserver_jobs_started_total{context=\"adhoc\"} 1.0")
                    .contains("jobserver_jobs_ended_total{context=\"ctx\",status=\"FINISHED\"} 1.0")
                    .contains("jobserver_jobs_ended_total{context=\"adhoc\",status=\"ERROR\"} 1.0")
                    .contains("jobserver_job_duration_seconds_sum{status=\"FINISHED\"} 1.5")
                    .doesNotContain("WordCountExample");
        }
    }

    @Test
    void gaugesAreReadWhenScrapedAndRoutesAreTemplates() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            Map<String, Long> states = new java.util.HashMap<>(Map.of("RUNNING", 2L));
            metrics.watch(() -> states, () -> 3, () -> Duration.ofSeconds(4));
            metrics.httpRequest("GET", "/jobs/{id}", 404, Duration.ofMillis(2));
            assertThat(metrics.prometheusText())
                    .contains("jobserver_contexts{state=\"RUNNING\"} 2.0")
                    .contains("jobserver_contexts{state=\"STARTED\"} 0.0")
                    .contains("jobserver_jobs_active 3.0")
                    .contains("jobserver_driver_heartbeat_age_max_seconds 4.0")
                    .contains(
                            "http_server_requests_seconds_count{method=\"GET\",route=\"/jobs/{id}\",status=\"404\"} 1");
            states.put("RUNNING", 1L);
            assertThat(metrics.prometheusText()).contains("jobserver_contexts{state=\"RUNNING\"} 1.0");
            var json = metrics.json(new ObjectMapper());
            assertThat(json.get("jobserver.jobs.active").get(0).get("value").asDouble())
                    .isEqualTo(3.0);
            assertThat(json.get("http.server.requests")
                            .get(0)
                            .get("tags")
                            .get("route")
                            .asText())
                    .isEqualTo("/jobs/{id}");
        }
    }

    @Test
    void statisticsThatAreNotNumbersAreNullInTheJson() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        var series = mapper.createObjectNode();
        ServerMetrics.putStatistic(series, "value", Double.NaN);
        ServerMetrics.putStatistic(series, "max", Double.POSITIVE_INFINITY);
        ServerMetrics.putStatistic(series, "count", 2.0);
        // what a strict JSON parser (the default Jackson one, a browser's JSON.parse) reads back
        assertThat(mapper.readTree(mapper.writeValueAsString(series)).toString())
                .isEqualTo("{\"value\":null,\"max\":null,\"count\":2.0}");
    }
}
