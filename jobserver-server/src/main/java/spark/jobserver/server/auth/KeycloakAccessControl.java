package spark.jobserver.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.Lazy;

/**
 * Keycloak, or any OpenID Connect provider, through the resource-owner password grant: the user's
 * credentials are exchanged for an access token at the realm's token endpoint (found in the issuer's
 * discovery document, {@code <issuer>/.well-known/openid-configuration}, else Keycloak's fixed path),
 * the token is verified with Nimbus JOSE+JWT (signature against the realm's published keys, issuer,
 * expiry, not-before, audience), and the client roles ({@code resource_access.<client>.roles}) that name
 * permissions become the user's permissions; none → ALLOW_ALL, as in the original.
 */
final class KeycloakAccessControl implements AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(KeycloakAccessControl.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The signatures accepted: the RSA and EC algorithms an identity provider publishes keys for. Never
     * {@code none} (the processor refuses unsigned tokens) nor an HMAC: a token "signed" with a realm's
     * public key as an HMAC secret must not verify.
     */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    private final AuthSettings.Keycloak settings;
    private final Duration timeout;
    private final HttpClient http;
    /** Keycloak's fixed paths, used while discovery fails. */
    private final Lazy<Realm> fallback;

    private volatile Realm discovered;

    /** Where to get tokens and how to verify them. */
    private record Realm(URI token, ConfigurableJWTProcessor<SecurityContext> verifier) {}

    KeycloakAccessControl(AuthSettings.Keycloak settings, Duration timeout) {
        this.settings = settings;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String issuer = settings.issuer().toString();
        this.fallback = Lazy.of(() -> realm(
                URI.create(issuer + "/protocol/openid-connect/token"),
                URI.create(issuer + "/protocol/openid-connect/certs"),
                null));
    }

    @Override
    public boolean requiresCredentials() {
        return true;
    }

    @Override
    public Optional<AuthUser> authenticate(String user, String password) {
        Realm realm = realm();
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
        HttpResponse<String> response = send(HttpRequest.newBuilder(realm.token())
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
        JsonNode claims;
        try {
            claims = JSON.valueToTree(
                    realm.verifier().process(token.asText(), null).toJSONObject());
        } catch (KeySourceException e) {
            // the keys could not be fetched (or not again so soon): says nothing about the user
            throw new AccessControlException("The identity provider's keys are unavailable: " + e.getMessage(), e);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            LOG.warn("Access denied to user [{}]: the access token did not verify: {}", user, e.getMessage());
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

    /** The realm from its discovery document once that could be read; Keycloak's fixed paths until then. */
    private Realm realm() {
        Realm realm = discovered;
        if (realm != null) {
            return realm;
        }
        String issuer = settings.issuer().toString();
        try {
            HttpResponse<String> discovery =
                    send(HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                            .GET());
            if (discovery.statusCode() == 200) {
                JsonNode doc = readJson(discovery.body());
                URI token = doc.path("token_endpoint").isTextual()
                        ? URI.create(doc.path("token_endpoint").asText())
                        : URI.create(issuer + "/protocol/openid-connect/token");
                URI jwks = doc.path("jwks_uri").isTextual()
                        ? URI.create(doc.path("jwks_uri").asText())
                        : URI.create(issuer + "/protocol/openid-connect/certs");
                String expectedIssuer =
                        doc.path("issuer").isTextual() ? doc.path("issuer").asText() : null;
                realm = realm(token, jwks, expectedIssuer);
                discovered = realm;
                return realm;
            }
            LOG.warn(
                    "OpenID discovery at {} answered {}; using Keycloak's default paths",
                    AuthSettings.display(settings.issuer()),
                    discovery.statusCode());
        } catch (AccessControlException | IllegalArgumentException e) {
            LOG.warn(
                    "OpenID discovery at {} failed ({}); using Keycloak's default paths",
                    AuthSettings.display(settings.issuer()),
                    e.getMessage());
        }
        return fallback.get();
    }

    /**
     * @param expectedIssuer the {@code iss} every token must carry; null to accept any (no discovery)
     */
    private Realm realm(URI discoveredToken, URI jwks, String expectedIssuer) {
        URL jwksUrl = httpUrl("key set", jwks);
        URI token = settings.tokenEndpoint() != null ? settings.tokenEndpoint() : discoveredToken;
        httpUrl("token endpoint", token);
        // Keys by kid, cached (5 min); a kid not in the cache refetches the set, at most twice per 30 s.
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(jwksUrl, this::fetchKeys)
                .cache(JWKSourceBuilder.DEFAULT_CACHE_TIME_TO_LIVE, timeout.toMillis())
                .rateLimited(true)
                .build();
        DefaultJWTProcessor<SecurityContext> verifier = new DefaultJWTProcessor<>();
        verifier.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"), null));
        verifier.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        verifier.setJWTClaimsSetVerifier(new AccessTokenClaims(expectedIssuer, settings.audience()));
        return new Realm(token, verifier);
    }

    private static URL httpUrl(String what, URI uri) {
        try {
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("not http(s)");
            }
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new AccessControlException(
                    "The identity provider's " + what + " URL is invalid: " + AuthSettings.display(uri), e);
        }
    }

    /**
     * Issuer (when known), expiry and not-before with Nimbus' default clock skew (60 s), and the audience:
     * {@code aud} contains it or {@code azp} is it (Keycloak names the client in {@code azp} and often
     * sends {@code aud: account}).
     */
    private static final class AccessTokenClaims extends DefaultJWTClaimsVerifier<SecurityContext> {
        private final String audience;

        AccessTokenClaims(String issuer, String audience) {
            super(
                    null, // the audience is checked below: aud or azp
                    issuer == null
                            ? new JWTClaimsSet.Builder().build()
                            : new JWTClaimsSet.Builder().issuer(issuer).build(),
                    Set.of("exp"),
                    null);
            this.audience = audience;
        }

        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            super.verify(claims, context);
            List<String> aud = claims.getAudience();
            Object azp = claims.getClaim("azp");
            if (!aud.contains(audience) && !audience.equals(azp)) {
                throw new BadJWTException(
                        "JWT audience rejected: aud " + aud + ", azp " + azp + ", expected " + audience);
            }
        }
    }

    /** The key set, fetched with the same client, timeout and redirect policy as the token. */
    private Resource fetchKeys(URL url) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(url.toURI())
                            .timeout(timeout)
                            .header("Accept", "application/json")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (URISyntaxException e) {
            throw new IOException("Not a URI: " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while fetching " + url);
        }
        if (response.statusCode() != 200) {
            throw new IOException("The identity provider's key set " + url + " answered " + response.statusCode());
        }
        return new Resource(
                response.body(), response.headers().firstValue("Content-Type").orElse(null));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AccessControlException(
                    "The identity provider is unreachable: " + (e.getMessage() != null ? e.getMessage() : e), e);
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
