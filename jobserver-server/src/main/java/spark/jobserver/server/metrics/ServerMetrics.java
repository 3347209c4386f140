package spark.jobserver.server.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import spark.jobserver.server.jobs.JobInfo;
import spark.jobserver.server.jobs.JobListener;

/**
 * The server's metrics, in one Micrometer registry exposed in Prometheus text ({@code GET /metrics}) and
 * as JSON ({@code GET /metricz}): jobs started and ended by context and status, job durations, contexts by
 * state, jobs in flight, the oldest driver heartbeat, HTTP requests, and the server's JVM. Counting a
 * job costs a map lookup and an atomic add, on the thread that records the job's event.
 */
public final class ServerMetrics implements JobListener, AutoCloseable {
    /** The context label of the jobs of ad-hoc contexts: their names are unique, a label each would grow without bound. */
    static final String ADHOC = "adhoc";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServerMetrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    /**
     * Gauges read when scraped.
     *
     * @param contextsByState live contexts by state name
     * @param jobsInFlight jobs accepted and not ended
     * @param oldestHeartbeat the longest a running context's driver has been silent
     */
    public void watch(
            Supplier<Map<String, Long>> contextsByState,
            Supplier<Integer> jobsInFlight,
            Supplier<Duration> oldestHeartbeat) {
        for (String state : List.of("STARTED", "RUNNING", "STOPPING", "RESTARTING")) {
            Gauge.builder("jobserver.contexts", contextsByState, s -> s.get().getOrDefault(state, 0L))
                    .description("Contexts of this server by state")
                    .tag("state", state)
                    .register(registry);
        }
        Gauge.builder("jobserver.jobs.active", jobsInFlight, s -> s.get())
                .description("Jobs accepted and not ended")
                .register(registry);
        Gauge.builder(
                        "jobserver.driver.heartbeat.age.max",
                        oldestHeartbeat,
                        s -> s.get().toMillis() / 1000.0)
                .description("The longest any running context's driver has been silent")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public void jobStarted(JobInfo job, boolean adhoc) {
        Counter.builder("jobserver.jobs.started")
                .description("Jobs that passed validation and started")
                .tag("context", adhoc ? ADHOC : job.contextName())
                .register(registry)
                .increment();
    }

    @Override
    public void jobEnded(JobInfo job, boolean adhoc) {
        String status = job.status().name();
        Counter.builder("jobserver.jobs.ended")
                .description("Jobs that ended, by final status (a refused validation ends ERROR)")
                .tag("context", adhoc ? ADHOC : job.contextName())
                .tag("status", status)
                .register(registry)
                .increment();
        if (job.startTime() != null && job.endTime() != null) {
            Timer.builder("jobserver.job.duration")
                    .description("From a job's start to its end")
                    .tag("status", status)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(Duration.between(job.startTime(), job.endTime()));
        }
    }

    /** One HTTP request answered: its method, route template (not the path: ids would be labels) and status. */
    public void httpRequest(String method, String route, int status, Duration took) {
        Timer.builder("http.server.requests")
                .description("HTTP requests answered by the server")
                .tag("method", method)
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .record(took);
    }

    /** The Prometheus text exposition of every metric. */
    public String prometheusText() {
        return registry.scrape();
    }

    /**
     * Every metric as JSON: meter name to its series, each with its tags and statistics; a statistic that
     * is not a finite number (NaN) is null.
     */
    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode all = mapper.createObjectNode();
        registry.getMeters().stream()
                .sorted(Comparator.comparing((Meter m) -> m.getId().getName()))
                .forEach(meter -> {
                    ArrayNode series = all.has(meter.getId().getName())
                            ? (ArrayNode) all.get(meter.getId().getName())
                            : all.putArray(meter.getId().getName());
                    ObjectNode one = series.addObject();
                    ObjectNode tags = one.putObject("tags");
                    for (Tag tag : meter.getId().getTags()) {
                        tags.put(tag.getKey(), tag.getValue());
                    }
                    for (Measurement m : meter.measure()) {
                        putStatistic(one, m.getStatistic().getTagValueRepresentation(), m.getValue());
                    }
                });
        return all;
    }

    /**
     * JSON has no NaN nor infinities (a gauge not measurable yet, such as the CPU usage right after the
     * start): null, where the Prometheus text says NaN.
     */
    static void putStatistic(ObjectNode series, String statistic, double value) {
        if (Double.isFinite(value)) {
            series.put(statistic, value);
        } else {
            series.putNull(statistic);
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
