package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ResourceOwnerPasswordCredentialsGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.OAuth2Exception;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * The Keycloak provider, configured with the original's keys only (authServerUrl, realmName, client,
 * clientSecret), against a real OpenID Connect server that serves the realm at Keycloak's path (password
 * grant, client roles in {@code resource_access.<client>.roles}, signed tokens), on a server that
 * requires TLS client certificates: refused handshakes, permissions from roles, the login cache, an
 * unreachable provider, and a context whose driver dials back over TLS with its own certificate and
 * runs a job that sees no secret.
 */
class KeycloakTlsIT {
    static final String CLIENT = "jobserver";
    static final String CLIENT_SECRET = "s3cret-client-value";

    /** The identity provider's users: name → password and client roles; counts token requests. */
    static final class Users implements OAuth2TokenCallback {
        final AtomicInteger requests = new AtomicInteger();
        final Map<String, List<String>> roles = Map.of(
                "alice", List.of("jobs", "contexts", "binaries:read"),
                "carol", List.of("binaries:read", "some-other-role"),
                "dave", List.of("not-a-permission"));

        @Override
        public String issuerId() {
            return "realms/sjs"; // served where Keycloak serves the realm "sjs"
        }

        @Override
        public String subject(TokenRequest request) {
            return grant(request).getUsername();
        }

        @Override
        public String typeHeader(TokenRequest request) {
            return "JWT";
        }

        @Override
        public List<String> audience(TokenRequest request) {
            return List.of(CLIENT);
        }

        @Override
        public Map<String, Object> addClaims(TokenRequest request) {
            requests.incrementAndGet();
            ResourceOwnerPasswordCredentialsGrant grant = grant(request);
            String user = grant.getUsername();
            if (!roles.containsKey(user) || !grant.getPassword().getValue().equals(user + "pw")) {
                throw new OAuth2Exception(OAuth2Error.INVALID_GRANT, "Invalid user credentials");
            }
            return Map.of(
                    "preferred_username",
                    user,
                    "resource_access",
                    Map.of(CLIENT, Map.of("roles", roles.get(user)), "other-client", Map.of("roles", List.of("*"))));
        }

        @Override
        public long tokenExpiry() {
            return 300;
        }

        private static ResourceOwnerPasswordCredentialsGrant grant(TokenRequest request) {
            return (ResourceOwnerPasswordCredentialsGrant) request.getAuthorizationGrant();
        }
    }

    static final Users USERS = new Users();
    static MockOAuth2Server idp;
    static TlsKeys keys;
    static TestingJobServer server;
    static String httpsUrl;
    static SecureClient https;

    @BeforeAll
    static void start() throws Exception {
        idp = new MockOAuth2Server(
                new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(), Set.of(USERS)));
        idp.start(java.net.InetAddress.getLoopbackAddress(), 0);
        keys = TlsKeys.make(Files.createTempDirectory("keycloak-tls"));
        server = TestingJobServer.start("access-control {\n"
                + "  provider = spark.jobserver.auth.KeycloakAccessControl\n"
                + "  use-cache = on\n"
                + "  keycloak {\n"
                + "    authServerUrl = \"" + idp.baseUrl() + "\"\n"
                + "    realmName = sjs\n"
                + "    client = " + CLIENT + "\n"
                + "    clientSecret = " + CLIENT_SECRET + "\n"
                + "  }\n"
                + "}\n"
                + "akka.http.server {\n"
                + "  ssl-encryption = on\n"
                + "  keystore = \"" + keys.path("server.jks") + "\"\n"
                + "  keystorePW = " + TlsKeys.PASSWORD + "\n"
                + "  keystoreType = JKS\n"
                + "  truststore = \"" + keys.path("truststore.jks") + "\"\n"
                + "  truststorePW = " + TlsKeys.PASSWORD + "\n"
                + "}\n");
        httpsUrl = server.baseUrl().replace("http://", "https://");
        https = SecureClient.to(httpsUrl, keys.clientContext(keys.path("client.p12")));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (idp != null) {
            idp.shutdown();
        }
        if (keys != null) {
            keys.delete();
        }
    }

    @Test
    void clientsWithoutATrustedCertificateAreRefusedAtTheHandshake() {
        assertThat(https.get("/healthz").status()).isEqualTo(200);
        SecureClient noCertificate = SecureClient.to(httpsUrl, keys.clientContext(null));
        assertThatThrownBy(() -> noCertificate.get("/healthz")).isInstanceOf(UncheckedIOException.class);
        SecureClient stranger = SecureClient.to(httpsUrl, keys.clientContext(keys.path("stranger.p12")));
        assertThatThrownBy(() -> stranger.get("/healthz")).isInstanceOf(UncheckedIOException.class);
        // plain HTTP on the HTTPS port is never served
        try {
            assertThat(SecureClient.to(server.baseUrl(), null).get("/healthz").status())
                    .isNotEqualTo(200);
        } catch (UncheckedIOException expected) {
            // the connection was closed: also a refusal
        }
    }

    @Test
    void clientRolesBecomePermissions() {
        Reply anonymous = https.get("/binaries");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).contains("Basic realm=\"Sparkjobserver Private\"");
        assertThat(https.as("alice", "wrong").get("/binaries").status()).isEqualTo(401);
        assertThat(https.as("nobody", "nobodypw").get("/binaries").status()).isEqualTo(401);

        SecureClient alice = https.as("alice", "alicepw");
        assertThat(alice.get("/binaries").status()).isEqualTo(200);
        assertThat(alice.get("/jobs").status()).isEqualTo(200);
        assertThat(alice.delete("/contexts/none").status()).isEqualTo(404);
        assertThat(alice.send("POST", "/binaries/x", "x", "text/plain").status())
                .isEqualTo(403);
        assertThat(alice.get("/data").status()).isEqualTo(403);

        SecureClient carol = https.as("carol", "carolpw");
        assertThat(carol.get("/binaries").status()).isEqualTo(200);
        Reply denied = carol.get("/jobs");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().path("status").asText()).isEqualTo("ERROR");
        // no client role names a permission: ALLOW_ALL, as in the original (roles of other clients do not count)
        assertThat(https.as("dave", "davepw").delete("/binaries/none").status()).isEqualTo(404);
    }

    @Test
    void loginsAreCachedButAWrongPasswordIsAlwaysChecked() {
        SecureClient carol = https.as("carol", "carolpw");
        assertThat(carol.get("/binaries").status()).isEqualTo(200);
        int after = USERS.requests.get();
        assertThat(carol.get("/binaries").status()).isEqualTo(200);
        assertThat(carol.get("/binaries").status()).isEqualTo(200);
        assertThat(USERS.requests.get()).isEqualTo(after);
        assertThat(https.as("carol", "not-her-password").get("/binaries").status())
                .isEqualTo(401);
        assertThat(USERS.requests.get()).isEqualTo(after + 1);
    }

    @Test
    void anUnreachableIdentityProviderIs503NotAWrong401() {
        try (TestingJobServer unreachable = TestingJobServer.start("access-control {\n"
                + "  provider = spark.jobserver.auth.KeycloakAccessControl\n"
                + "  auth-timeout = 5s\n"
                + "  keycloak { authServerUrl = \"http://127.0.0.1:1\", realmName = sjs, client = " + CLIENT + " }\n"
                + "}\n")) {
            Reply reply = SecureClient.to(unreachable.baseUrl(), null)
                    .as("alice", "alicepw")
                    .get("/binaries");
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.json().path("status").asText()).isEqualTo("ERROR");
            assertThat(reply.body()).doesNotContain("alicepw");
        }
    }

    @Test
    void driversDialBackOverTlsWithTheirCertificateAndJobsSeeNoSecrets() throws Exception {
        SecureClient dave = https.as("dave", "davepw");
        dave.uploadExamples("tls-examples");
        Reply created = dave.post("/contexts/tls-ctx", "");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        try {
            Reply job = dave.post(
                    "/jobs?appName=tls-examples&classPath=spark.jobserver.ConfigEchoJob&context=tls-ctx&sync=true&timeout=60",
                    "paths = [akka.http.server.keystorePW, akka.http.server.truststorePW, access-control.keycloak.clientSecret,"
                            + " spark.jobserver.sqldao.jdbc.password, access-control.keycloak.client]\n"
                            + "db.password = hunter2");
            assertThat(job.status()).as(job.toString()).isEqualTo(200);
            assertThat(job.json()
                            .path("result")
                            .path("job.access-control.keycloak.client")
                            .asText())
                    .isEqualTo(CLIENT);
            for (String secret : List.of(
                    "akka.http.server.keystorePW",
                    "akka.http.server.truststorePW",
                    "access-control.keycloak.clientSecret",
                    "spark.jobserver.sqldao.jdbc.password")) {
                assertThat(job.json().path("result").path("job." + secret).isNull())
                        .as(secret)
                        .isTrue();
            }
            assertThat(job.body()).doesNotContain(CLIENT_SECRET).doesNotContain(TlsKeys.PASSWORD);
            String jobId = job.json().path("jobId").asText();
            Reply config = dave.get("/jobs/" + jobId + "/config");
            assertThat(config.status()).isEqualTo(200);
            assertThat(config.body()).doesNotContain("hunter2");
            assertThat(config.json().path("db").path("password").asText()).isEqualTo("****");
            Reply context = dave.get("/contexts/tls-ctx");
            assertThat(context.body()).doesNotContain(CLIENT_SECRET).doesNotContain(TlsKeys.PASSWORD);

            // the drivers' certificate opens the drivers' routes only
            Path tls = server.root().resolve("tls");
            String password =
                    Files.readString(tls.resolve("driver-identity.password")).trim();
            SecureClient asDriver = SecureClient.to(
                            httpsUrl,
                            keys.clientContext(
                                    tls.resolve("driver-identity.p12").toString(), password))
                    .as("dave", "davepw");
            assertThat(asDriver.get("/healthz").status()).isEqualTo(200);
            Reply refused = asDriver.get("/contexts");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.json().path("status").asText()).isEqualTo("ERROR");
        } finally {
            Reply stopped = dave.delete("/contexts/tls-ctx");
            assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        }
    }
}
