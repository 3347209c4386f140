package spark.jobserver.server.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import spark.jobserver.common.NamedThreads;

/**
 * A small OpenID Connect provider on a real local HTTP server, for the Keycloak provider's tests: the
 * realm {@code test} with a discovery document, a key set and a password-grant token endpoint (also at
 * Keycloak's fixed paths). Each user's password is its name followed by {@code pw}; the tokens it hands
 * out are whatever {@link #tokens} makes, signed by the test.
 */
final class TestIdentityProvider implements AutoCloseable {
    static final String CLIENT = "jobserver";
    static final String CLIENT_SECRET = "client-s3cret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(NamedThreads.daemon("test-idp"));
    final AtomicInteger keySetRequests = new AtomicInteger();
    final AtomicInteger tokenRequests = new AtomicInteger();
    /** The published keys (their public parts are served). */
    volatile JWKSet keys;
    /** user → the access token handed out. */
    volatile Function<String, String> tokens;

    volatile boolean discovery = true;
    volatile int keySetStatus = 200;
    /** While set, the token endpoint waits for it before answering. */
    volatile CountDownLatch tokenGate;

    TestIdentityProvider(JWK... keys) throws IOException {
        this.keys = new JWKSet(Arrays.asList(keys));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/realms/test/.well-known/openid-configuration", this::discovery);
        server.createContext("/realms/test/keys", this::keySet);
        server.createContext("/realms/test/protocol/openid-connect/certs", this::keySet);
        server.createContext("/realms/test/token", this::token);
        server.createContext("/realms/test/protocol/openid-connect/token", this::token);
        server.start();
        JWK first = keys[0];
        this.tokens = user -> sign(first, claims(user).build());
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
    }

    /** The provider's settings as the server binds them. */
    AuthSettings.Keycloak settings(String audience) {
        return new AuthSettings.Keycloak(URI.create(issuer()), null, CLIENT, CLIENT_SECRET, audience);
    }

    /** Claims as Keycloak puts them in an access token for this client: valid for five minutes. */
    JWTClaimsSet.Builder claims(String user) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject("id-of-" + user)
                .audience("account")
                .claim("azp", CLIENT)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("preferred_username", user)
                .claim(
                        "resource_access",
                        Map.of(
                                CLIENT,
                                Map.of("roles", List.of("jobs", "binaries:read", "not-a-permission")),
                                "other-client",
                                Map.of("roles", List.of("*"))));
    }

    static String sign(JWK key, JWTClaimsSet claims) {
        JWSAlgorithm algorithm = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(algorithm)
                        .keyID(key.getKeyID())
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private void discovery(HttpExchange exchange) throws IOException {
        if (!discovery) {
            reply(exchange, 404, "{\"error\":\"not found\"}");
            return;
        }
        reply(
                exchange,
                200,
                JSON.writeValueAsString(Map.of(
                        "issuer", issuer(),
                        "token_endpoint", issuer() + "/token",
                        "jwks_uri", issuer() + "/keys")));
    }

    private void keySet(HttpExchange exchange) throws IOException {
        keySetRequests.incrementAndGet();
        reply(exchange, keySetStatus, keys.toPublicJWKSet().toString());
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenRequests.incrementAndGet();
        CountDownLatch gate = tokenGate;
        if (gate != null) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!"password".equals(form.get("grant_type"))
                || !CLIENT.equals(form.get("client_id"))
                || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            reply(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String user = form.getOrDefault("username", "");
        if (user.isEmpty() || !(user + "pw").equals(form.get("password"))) {
            reply(exchange, 401, "{\"error\":\"invalid_grant\"}");
            return;
        }
        reply(
                exchange,
                200,
                JSON.writeValueAsString(
                        Map.of("access_token", tokens.apply(user), "token_type", "Bearer", "expires_in", 300)));
    }

    private static void reply(HttpExchange exchange, int status, String body) {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        CountDownLatch gate = tokenGate;
        if (gate != null) {
            gate.countDown();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
