package spark.jobserver.server.http;

import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The HTTP server alone, on a loopback port of its own, with the given features' routes: for tests of HTTP behaviour. */
public final class TestingHttpServer {
    private TestingHttpServer() {}

    /** Not started. */
    @SafeVarargs
    public static HttpServer of(Consumer<RoutesConfig>... features) {
        return new HttpServer(
                "127.0.0.1",
                0,
                1 << 20,
                1 << 20,
                new QueuedThreadPool(),
                null,
                new CorsSettings(List.of()),
                List.of(features));
    }
}
