package spark.jobserver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.server.http.CorsSettings;
import spark.jobserver.server.http.HttpServer;

/**
 * The gate as a client sees it, on the project's HTTP server, with real providers that hang: Shiro's LDAP
 * realm against a directory that accepts connections and never answers, and the Keycloak provider against
 * an identity provider whose token endpoint stops answering.
 */
class AccessGateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aHangingProviderHoldsAtMostTheLimitOfThreadsAndTheRestAre503AtOnce() throws Exception {
        await("the threads of other tests' gates are gone", () -> authThreads() == 0);
        // Nobody ever accepts: the kernel completes each connection into the backlog, and the bind request that
        // the realm sends is never read nor answered, as with a directory server that hangs.
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try {
            Path ini = dir.resolve("shiro.ini");
            Files.writeString(
                    ini,
                    "[main]\n"
                            + "ldapRealm = org.apache.shiro.realm.ldap.JndiLdapRealm\n"
                            + "ldapRealm.userDnTemplate = cn={0},ou=people,dc=example,dc=org\n"
                            + "ldapRealm.contextFactory.url = ldap://127.0.0.1:" + silent.getLocalPort() + "\n");
            AuthSettings settings = AuthSettings.from(ConfigFactory.parseString("access-control {\n"
                    + "  provider = spark.jobserver.auth.ShiroAccessControl\n"
                    + "  shiro.config.path = \"" + ini + "\"\n"
                    + "  auth-timeout = 2s\n"
                    + "  max-concurrent-authentications = 2\n"
                    + "}"));
            try (AccessGate gate = gate(settings);
                    HttpServer http = serverBehind(gate)) {
                HttpClient client = HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
                HttpRequest request = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + http.port() + "/binaries"))
                        .header(
                                "Authorization",
                                "Basic "
                                        + Base64.getEncoder()
                                                .encodeToString("alice:alicepw".getBytes(StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(30))
                        .build();

                long started = System.nanoTime();
                List<CompletableFuture<HttpResponse<String>>> hanging = List.of(
                        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()),
                        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
                await("both checks are waiting for the directory", () -> authThreads() == 2);

                // more concurrent requests: each refused at once, none gets a thread
                List<CompletableFuture<HttpResponse<String>>> more = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    more.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> reply : more) {
                    assertBusy(reply.get(30, TimeUnit.SECONDS));
                }
                assertThat(hanging).noneMatch(CompletableFuture::isDone);
                assertThat(authThreads()).isEqualTo(2);

                // the first two wait for the timeout, then 503 as well
                for (CompletableFuture<HttpResponse<String>> reply : hanging) {
                    HttpResponse<String> response = reply.get(30, TimeUnit.SECONDS);
                    assertThat(response.statusCode()).isEqualTo(503);
                    JsonNode body = JSON.readTree(response.body());
                    assertThat(body.path("status").asText()).isEqualTo("ERROR");
                    assertThat(body.path("result").asText()).contains("timed out");
                }
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));

                // the pool has not grown
                assertThat(authThreads()).isLessThanOrEqualTo(2);

                // the directory goes away: logins are checked again (a directory that cannot be reached is a
                // failed login for Shiro, so 401)
                silent.close();
                await("logins are checked again", () -> {
                    try {
                        return client.send(request, HttpResponse.BodyHandlers.ofString())
                                        .statusCode()
                                == 401;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(authThreads()).isLessThanOrEqualTo(2);
            }
        } finally {
            silent.close();
        }
    }

    @Test
    void cachedLoginsAreAnsweredWhileTheProviderHangs() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        try (TestIdentityProvider idp = new TestIdentityProvider(key)) {
            AuthSettings settings = AuthSettings.from(ConfigFactory.parseString("access-control {\n"
                    + "  provider = spark.jobserver.auth.KeycloakAccessControl\n"
                    + "  use-cache = on\n"
                    + "  auth-timeout = 2s\n"
                    + "  max-concurrent-authentications = 1\n"
                    + "  keycloak { issuer = \"" + idp.issuer() + "\", client = " + TestIdentityProvider.CLIENT
                    + ", clientSecret = " + TestIdentityProvider.CLIENT_SECRET + " }\n"
                    + "}"));
            try (AccessGate gate = gate(settings);
                    HttpServer http = serverBehind(gate)) {
                HttpClient client = HttpClient.newHttpClient();
                String url = "http://127.0.0.1:" + http.port() + "/binaries";
                assertThat(client.send(request(url, "alice"), HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);

                // the token endpoint hangs: bob's check holds the only thread
                idp.tokenGate = new CountDownLatch(1);
                CompletableFuture<HttpResponse<String>> bob =
                        client.sendAsync(request(url, "bob"), HttpResponse.BodyHandlers.ofString());
                await("bob's check reached the identity provider", () -> idp.tokenRequests.get() == 2);

                HttpResponse<String> alice = client.send(request(url, "alice"), HttpResponse.BodyHandlers.ofString());
                assertThat(alice.statusCode()).isEqualTo(200);
                assertBusy(client.send(request(url, "carol"), HttpResponse.BodyHandlers.ofString()));
                assertThat(bob.isDone())
                        .as("both answered while bob's check still hangs")
                        .isFalse();

                // the provider's own HTTP timeout is the same as the gate's: either ends bob's wait, with a 503
                HttpResponse<String> unanswered = bob.get(30, TimeUnit.SECONDS);
                assertThat(unanswered.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(unanswered.body()).path("status").asText())
                        .isEqualTo("ERROR");
                idp.tokenGate.countDown();
            }
        }
    }

    private static AccessGate gate(AuthSettings settings) {
        return new AccessGate(
                AccessControl.create(settings),
                settings.authTimeout(),
                settings.maxConcurrentAuthentications(),
                certificate -> false,
                settings.publicMetrics(),
                settings.publicApiDocs());
    }

    /** The project's HTTP server with the gate in front of one route, {@code GET /binaries}. */
    private static HttpServer serverBehind(AccessGate gate) {
        return new HttpServer(
                        "127.0.0.1",
                        0,
                        1 << 20,
                        1 << 20,
                        new org.eclipse.jetty.util.thread.QueuedThreadPool(),
                        null,
                        new CorsSettings(List.of("*")),
                        List.of(
                                gate::register,
                                routes -> spark.jobserver.server.http.ApiRoutes.on(routes)
                                        .get("/binaries", ctx -> ctx.result("{}"), doc -> doc.summary("a test route"))))
                .start();
    }

    private static HttpRequest request(String url, String user) {
        return HttpRequest.newBuilder(URI.create(url))
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((user + ":" + user + "pw").getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    private static void assertBusy(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("ERROR");
        assertThat(body.path("result").asText()).contains("Too many authentications");
    }

    /** The gate's live threads. */
    private static long authThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("jobserver-auth-"))
                .count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }
}
