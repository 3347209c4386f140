package spark.jobserver.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import spark.jobserver.it.TestingJobServer.Reply;

/** HTTP(S) requests to a test server as one user (HTTP Basic), optionally over TLS with a client certificate. */
final class SecureClient {
    private final String baseUrl;
    private final HttpClient client;
    private final String authorization;

    private SecureClient(String baseUrl, HttpClient client, String authorization) {
        this.baseUrl = baseUrl;
        this.client = client;
        this.authorization = authorization;
    }

    /** Plain HTTP (or HTTPS with the given context) to {@code baseUrl}, without credentials. */
    static SecureClient to(String baseUrl, SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        return new SecureClient(baseUrl, builder.build(), null);
    }

    /** The same server as another user. */
    SecureClient as(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new SecureClient(baseUrl, client, "Basic " + token);
    }

    SecureClient anonymous() {
        return new SecureClient(baseUrl, client, null);
    }

    Reply get(String path) {
        return send("GET", path, (String) null, null);
    }

    Reply delete(String path) {
        return send("DELETE", path, (String) null, null);
    }

    Reply post(String path, String body) {
        return send("POST", path, body, "text/plain");
    }

    Reply put(String path, String body) {
        return send("PUT", path, body, "text/plain");
    }

    Reply send(String method, String path, String body, String contentType) {
        return sendBytes(
                method,
                path,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body),
                contentType);
    }

    Reply sendBytes(String method, String path, HttpRequest.BodyPublisher body, String contentType) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofMinutes(3))
                .method(method, body);
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A request with one extra header (e.g. a hand-made Authorization header). */
    Reply sendWithHeader(String method, String path, String name, String value) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofMinutes(3))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header(name, value);
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(
                    response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    void uploadExamples(String appName) {
        try {
            Reply reply = sendBytes(
                    "POST",
                    "/binaries/" + appName,
                    HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(TestingJobServer.examplesJar())),
                    "application/java-archive");
            if (reply.status() != 201) {
                throw new AssertionError("upload failed: " + reply);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Reply await(String path, Predicate<Reply> done, Duration timeout) {
        return TestingJobServer.await(this::get, path, done, timeout);
    }
}
