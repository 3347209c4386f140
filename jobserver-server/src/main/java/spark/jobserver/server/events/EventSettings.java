package spark.jobserver.server.events;

import com.typesafe.config.Config;
import java.time.Duration;
import spark.jobserver.server.config.ConfigProblems;

/**
 * The event stream's settings, under {@code spark.jobserver.events}; every problem is reported at once.
 *
 * @param bufferSize how many recent events are kept for clients that resume with {@code Last-Event-ID}
 * @param clientQueueSize how many events may wait for one client before it is dropped as too slow
 * @param maxClients how many clients may follow the stream at once (each has a thread of its own)
 * @param keepAlive how long a stream may stay silent before a comment line is sent; less than the HTTP
 *     connections' idle timeout (30 s)
 * @param progressInterval the least time between two progress events of one job
 */
public record EventSettings(
        int bufferSize, int clientQueueSize, int maxClients, Duration keepAlive, Duration progressInterval) {
    private static final String PREFIX = "spark.jobserver.events.";
    /** Jetty's idle timeout of HTTP connections: a stream silent this long is closed. */
    static final Duration HTTP_IDLE_TIMEOUT = Duration.ofSeconds(30);

    public EventSettings {
        if (bufferSize < 1 || clientQueueSize < 1 || maxClients < 1) {
            throw new IllegalArgumentException(
                    "invalid event settings: " + bufferSize + ", " + clientQueueSize + ", " + maxClients);
        }
        keepAliveBelowIdleTimeout(keepAlive);
        ConfigProblems.notNegative(progressInterval);
    }

    private static Duration keepAliveBelowIdleTimeout(Duration keepAlive) {
        ConfigProblems.positive(keepAlive);
        if (keepAlive.compareTo(HTTP_IDLE_TIMEOUT) >= 0) {
            throw new IllegalArgumentException("must be less than " + HTTP_IDLE_TIMEOUT.toSeconds()
                    + "s (the idle timeout of HTTP connections), was " + keepAlive);
        }
        return keepAlive;
    }

    /**
     * Binds the server configuration; absent keys take the bundled defaults.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static EventSettings from(Config c) {
        ConfigProblems problems = new ConfigProblems(c);
        int buffer = problems.bindOptional(
                c, PREFIX + "buffer-size", (cfg, key) -> ConfigProblems.atLeast(1, cfg.getInt(key)), 5000);
        int queue = problems.bindOptional(
                c, PREFIX + "client-queue-size", (cfg, key) -> ConfigProblems.atLeast(1, cfg.getInt(key)), 1000);
        int clients = problems.bindOptional(
                c, PREFIX + "max-clients", (cfg, key) -> ConfigProblems.atLeast(1, cfg.getInt(key)), 100);
        Duration keepAlive = problems.bindOptional(
                c,
                PREFIX + "keep-alive",
                (cfg, key) -> keepAliveBelowIdleTimeout(cfg.getDuration(key)),
                Duration.ofSeconds(15));
        Duration progress = problems.bindOptional(
                c,
                PREFIX + "progress-interval",
                (cfg, key) -> ConfigProblems.notNegative(cfg.getDuration(key)),
                Duration.ofSeconds(1));
        problems.throwIfAny("Invalid event stream configuration (spark.jobserver.events)");
        return new EventSettings(buffer, queue, clients, keepAlive, progress);
    }
}
