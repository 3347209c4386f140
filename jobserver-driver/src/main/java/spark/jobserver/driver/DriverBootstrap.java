package spark.jobserver.driver;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;

/**
 * How a driver learns who it is: it is given only the server's URL and its context's id (and its secret in
 * the environment), and asks the server for the rest ({@link DriverLaunch#CONTEXT_CONFIG_PATH}), proving
 * itself as for every other request. So a driver needs nothing of the server's files and runs the same on
 * the server's host or on a cluster node; and the context's settings, which may hold secrets, never
 * appear on a command line.
 */
final class DriverBootstrap {
    private static final Logger log = LoggerFactory.getLogger(DriverBootstrap.class);
    private static final Duration PAUSE = Duration.ofSeconds(2);

    private final HttpClient client;
    private final Clock clock;

    DriverBootstrap(HttpClient client, Clock clock) {
        this.client = requireNonNull(client, "client is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Fetches and reads the driver's configuration, retrying while the server cannot be reached (it may be
     * restarting) for up to {@code patience}.
     *
     * @throws IllegalArgumentException when the server refuses the driver or its answer is not a valid
     *     configuration, or it stays unreachable
     */
    DriverConfig fetch(URI serverHttpUrl, String contextId, String secret, Duration patience) {
        String path = DriverLaunch.CONTEXT_CONFIG_PATH
                + ServerFiles.pathSegment(contextId)
                + DriverLaunch.CONTEXT_CONFIG_SUFFIX;
        String base = serverHttpUrl.toString().replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(ServerFiles.RESPONSE_TIMEOUT)
                .header(DriverLaunch.AUTH_HEADER, contextId + ":" + DriverAuth.mac(secret, path))
                .GET()
                .build();
        Instant deadline = clock.instant().plus(patience);
        while (true) {
            try {
                HttpResponse<String> response =
                        client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (response.statusCode() != 200) {
                    throw new IllegalArgumentException("the server refused this driver's configuration request ("
                            + response.statusCode() + "): " + abbreviate(response.body()));
                }
                return DriverConfig.from(
                        ConfigFactory.parseString(response.body()).resolve());
            } catch (ConfigException e) {
                throw new IllegalArgumentException(
                        "the server's driver configuration is invalid: " + e.getMessage(), e);
            } catch (IOException e) {
                if (clock.instant().isAfter(deadline)) {
                    throw new IllegalArgumentException(
                            "the server at " + base + " stayed unreachable: " + e.getMessage(), e);
                }
                log.warn("Cannot reach the server at {} yet ({}); trying again", base, e.toString());
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalArgumentException("interrupted while fetching the driver configuration", e);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE.toMillis()); // a fixed pause between attempts to reach a restarting server
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abbreviate(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
