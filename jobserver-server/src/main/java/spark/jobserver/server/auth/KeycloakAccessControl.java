package spark.jobserver.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keycloak, or any OpenID Connect provider, through the resource-owner password grant: the user's
 * credentials are exchanged for an access token at the realm's token endpoint (found in the issuer's
 * discovery document, {@code <issuer>/.well-known/openid-configuration}, else Keycloak's fixed path),
 * the token's signature is checked against the realm's published keys, and the client roles
 * ({@code resource_access.<client>.roles}) that name permissions become the user's permissions; none →
 * ALLOW_ALL, as in the original.
 */
final class KeycloakAccessControl implements AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(KeycloakAccessControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuthSettings.Keycloak settings;
    private final Duration timeout;
    private final HttpClient http;
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();
    private volatile Endpoints endpoints;

    private record Endpoints(String issuer, URI token, URI jwks) {}

    KeycloakAccessControl(AuthSettings.Keycloak settings, Duration timeout) {
        this.settings = settings;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public boolean requiresCredentials() {
        return true;
    }

    @Override
    public Optional<AuthUser> authenticate(String user, String password) {
        Endpoints ep = endpoints();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("username", user);
        form.put("password", password);
        form.put("client_id", settings.client());
        if (settings.clientSecret() != null) {
            form.put("client_secret", settings.clientSecret());
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = send(HttpRequest.newBuilder(ep.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (response.statusCode() == 400 || response.statusCode() == 401) {
            LOG.info("Access denied to user [{}]: the identity provider refused the credentials", user);
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new AccessControlException("The identity provider answered " + response.statusCode(), null);
        }
        JsonNode token = readJson(response.body()).path("access_token");
        if (!token.isTextual()) {
            LOG.info("Access denied to user [{}]: no access token in the identity provider's answer", user);
            return Optional.empty();
        }
        JsonNode claims = verifiedClaims(token.asText(), ep);
        if (claims == null) {
            LOG.warn("Access denied to user [{}]: the access token did not verify", user);
            return Optional.empty();
        }
        String name = claims.path("preferred_username").isTextual()
                ? claims.path("preferred_username").asText()
                : claims.path("sub").isTextual() ? claims.path("sub").asText() : user;
        Set<Permission> granted = EnumSet.noneOf(Permission.class);
        for (JsonNode role :
                claims.path("resource_access").path(settings.client()).path("roles")) {
            Permission.byId(role.asText()).ifPresent(granted::add);
        }
        return Optional.of(new AuthUser(name, granted));
    }

    /** The token's claims when its RS256 signature checks out against the realm's keys and it has not expired. */
    private JsonNode verifiedClaims(String jwt, Endpoints ep) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return null;
        }
        Base64.Decoder b64 = Base64.getUrlDecoder();
        try {
            JsonNode header = JSON.readTree(b64.decode(parts[0]));
            JsonNode claims = JSON.readTree(b64.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return null;
            }
            PublicKey key = key(header.path("kid").asText(""), ep);
            if (key == null) {
                return null;
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(b64.decode(parts[2]))) {
                return null;
            }
            if (claims.has("exp")
                    && Instant.ofEpochSecond(claims.path("exp").asLong()).isBefore(Instant.now())) {
                return null;
            }
            if (ep.issuer() != null
                    && claims.has("iss")
                    && !ep.issuer().equals(claims.path("iss").asText())) {
                return null;
            }
            return claims;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            LOG.debug("Access token rejected", e);
            return null;
        }
    }

    private PublicKey key(String kid, Endpoints ep) throws GeneralSecurityException {
        PublicKey key = keys.get(kid);
        if (key == null) {
            // unknown key id: the realm may have rotated its keys
            JsonNode jwks =
                    readJson(send(HttpRequest.newBuilder(ep.jwks()).GET()).body());
            for (JsonNode jwk : jwks.path("keys")) {
                if ("RSA".equals(jwk.path("kty").asText())) {
                    Base64.Decoder b64 = Base64.getUrlDecoder();
                    PublicKey k = KeyFactory.getInstance("RSA")
                            .generatePublic(new RSAPublicKeySpec(
                                    new BigInteger(1, b64.decode(jwk.path("n").asText())),
                                    new BigInteger(1, b64.decode(jwk.path("e").asText()))));
                    keys.put(jwk.path("kid").asText(""), k);
                }
            }
            key = keys.get(kid);
        }
        return key;
    }

    /** The realm's endpoints, from its discovery document once it could be read. */
    private Endpoints endpoints() {
        Endpoints ep = endpoints;
        if (ep != null) {
            return ep;
        }
        String issuer = settings.issuer().toString();
        URI token = URI.create(issuer + "/protocol/openid-connect/token");
        URI jwks = URI.create(issuer + "/protocol/openid-connect/certs");
        String expectedIssuer = null;
        try {
            HttpResponse<String> discovery =
                    send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                            .GET());
            if (discovery.statusCode() == 200) {
                JsonNode doc = readJson(discovery.body());
                token = doc.path("token_endpoint").isTextual()
                        ? URI.create(doc.path("token_endpoint").asText())
                        : token;
                jwks = doc.path("jwks_uri").isTextual()
                        ? URI.create(doc.path("jwks_uri").asText())
                        : jwks;
                expectedIssuer =
                        doc.path("issuer").isTextual() ? doc.path("issuer").asText() : null;
                ep = new Endpoints(
                        expectedIssuer, settings.tokenEndpoint() != null ? settings.tokenEndpoint() : token, jwks);
                endpoints = ep;
                return ep;
            }
            LOG.warn(
                    "OpenID discovery at {} answered {}; using Keycloak's default paths",
                    issuer,
                    discovery.statusCode());
        } catch (AccessControlException e) {
            LOG.warn("OpenID discovery at {} failed ({}); using Keycloak's default paths", issuer, e.getMessage());
        }
        return new Endpoints(null, settings.tokenEndpoint() != null ? settings.tokenEndpoint() : token, jwks);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AccessControlException("The identity provider is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AccessControlException("Interrupted", e);
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AccessControlException("The identity provider's answer is not JSON", e);
        }
    }
}
