package spark.jobserver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP endpoint on loopback that records the callbacks POSTed to it. Each path answers 200,
 * or a given status for its first N requests.
 */
final class CallbackReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request received. */
    record Call(String path, String method, String contentType, JsonNode body) {}

    private final HttpServer server;
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private final ConcurrentHashMap<String, int[]> failures = new ConcurrentHashMap<>();
    private final AtomicInteger received = new AtomicInteger();

    CallbackReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            JsonNode body;
            try {
                body = JSON.readTree(exchange.getRequestBody().readAllBytes());
            } catch (IOException e) {
                body = null;
            }
            calls.add(new Call(
                    path,
                    exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst("Content-Type"),
                    body));
            received.incrementAndGet();
            int status = 200;
            int[] failing = failures.get(path);
            if (failing != null) {
                synchronized (failing) {
                    if (failing[1] > 0) {
                        failing[1]--;
                        status = failing[0];
                    }
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The first {@code times} requests to {@code path} are answered with {@code status}. */
    void failFirst(String path, int status, int times) {
        failures.put(path, new int[] {status, times});
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next call, or fails after {@code timeout}. */
    Call next(Duration timeout) {
        try {
            Call call = calls.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (call == null) {
                throw new AssertionError("no callback within " + timeout);
            }
            return call;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Fails if a call arrives within {@code window} (a negative check can only wait). */
    void expectNone(Duration window) {
        try {
            Call call = calls.poll(window.toMillis(), TimeUnit.MILLISECONDS);
            if (call != null) {
                throw new AssertionError("unexpected callback " + call);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Calls received so far and not yet taken. */
    List<Call> drain() {
        List<Call> all = new ArrayList<>();
        calls.drainTo(all);
        return all;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
