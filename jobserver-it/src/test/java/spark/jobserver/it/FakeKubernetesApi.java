package spark.jobserver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for a Kubernetes API server, over real HTTP on loopback: it keeps the objects it is sent
 * (create, server-side apply, get, delete of namespaced objects) and records every call, so that a test
 * sees exactly what Spark's own Kubernetes client asked for. It runs nothing: no pod ever starts.
 */
final class FakeKubernetesApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code /api/v1/namespaces/<ns>/<resource>[/<name>]} or {@code /apis/<group>/<version>/namespaces/...}. */
    private static final Pattern PATH = Pattern.compile(
            "/(?:api/v1|apis/(?<group>[^/]+)/[^/]+)/namespaces/(?<ns>[^/]+)/(?<resource>[^/]+)(?:/(?<name>[^/]+))?");

    /** One request: its verb as RBAC names it, what it named, and the object it sent (or null). */
    record Call(
            String method,
            String verb,
            String apiGroup,
            String namespace,
            String resource,
            String name,
            JsonNode body) {
        @Override
        public String toString() {
            return method + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + namespace + "/" + resource
                    + (name == null ? "" : "/" + name) + " (" + verb + ")";
        }
    }

    private final HttpServer http;
    private final Map<String, ObjectNode> objects = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition called = lock.newCondition();

    private FakeKubernetesApi(HttpServer http) {
        this.http = http;
    }

    static FakeKubernetesApi start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            FakeKubernetesApi api = new FakeKubernetesApi(http);
            http.createContext("/", api::handle);
            http.start();
            return api;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Spark master that submits to this server. */
    String masterUrl() {
        return "k8s://http://127.0.0.1:" + http.getAddress().getPort();
    }

    List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /** The first call matching {@code match}, waiting for it up to {@code timeout}. */
    Call await(Predicate<Call> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (Call call : calls) {
                    if (match.test(call)) {
                        return call;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such call within " + timeout + "; calls: " + calls);
                }
                called.await(left, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? null : JSON.readTree(bytes);
            Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
            if (!m.matches()) {
                record(new Call(
                        method,
                        method.toLowerCase(),
                        "",
                        "",
                        exchange.getRequestURI().getPath(),
                        null,
                        body));
                reply(exchange, 404, status(404, "NotFound"));
                return;
            }
            String group = m.group("group") == null ? "" : m.group("group");
            String name = m.group("name");
            String verb = verb(method, name, query);
            record(new Call(method, verb, group, m.group("ns"), m.group("resource"), name, body));
            String key = group + "/" + m.group("ns") + "/" + m.group("resource") + "/";
            switch (verb) {
                case "create", "patch" -> {
                    ObjectNode object = ((ObjectNode) body).deepCopy();
                    ObjectNode metadata = object.withObjectProperty("metadata");
                    metadata.put("namespace", m.group("ns"));
                    metadata.put("uid", UUID.randomUUID().toString());
                    metadata.put("resourceVersion", "1");
                    String objectName =
                            name != null ? name : metadata.path("name").asText();
                    boolean existed = objects.put(key + objectName, object) != null;
                    reply(exchange, verb.equals("create") && !existed ? 201 : 200, object);
                }
                case "get" -> {
                    ObjectNode object = objects.get(key + name);
                    reply(exchange, object == null ? 404 : 200, object == null ? status(404, "NotFound") : object);
                }
                case "delete" -> {
                    ObjectNode object = objects.remove(key + name);
                    reply(exchange, object == null ? 404 : 200, object == null ? status(404, "NotFound") : object);
                }
                default -> reply(exchange, 405, status(405, "MethodNotAllowed"));
            }
        }
    }

    /** The RBAC verb of a request. */
    private static String verb(String method, String name, String query) {
        return switch (method) {
            case "POST" -> "create";
            case "PATCH", "PUT" -> name == null ? "unknown" : (method.equals("PUT") ? "update" : "patch");
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            case "GET" -> name != null ? "get" : (query != null && query.contains("watch=true") ? "watch" : "list");
            default -> "unknown";
        };
    }

    private void record(Call call) {
        lock.lock();
        try {
            calls.add(call);
            called.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static ObjectNode status(int code, String reason) {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status").put("apiVersion", "v1").put("status", "Failure");
        status.put("reason", reason).put("code", code);
        return status;
    }

    private static void reply(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
