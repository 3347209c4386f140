package spark.jobserver.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static spark.jobserver.server.auth.TestIdentityProvider.CLIENT;
import static spark.jobserver.server.auth.TestIdentityProvider.sign;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Keycloak provider against a real local OpenID Connect provider whose tokens the test signs: which
 * access tokens admit a user (the password grant's answer) and which are refused (empty: 401 for the
 * client, never a 500).
 */
class KeycloakAccessControlTest {
    static RSAKey realmKey;
    static RSAKey rotatedKey;
    static RSAKey strangerKey;
    static ECKey ecKey;

    TestIdentityProvider idp;
    KeycloakAccessControl keycloak;

    @BeforeAll
    static void keys() throws JOSEException {
        realmKey =
                new RSAKeyGenerator(2048).keyID("k1").keyUse(KeyUse.SIGNATURE).generate();
        rotatedKey =
                new RSAKeyGenerator(2048).keyID("k2").keyUse(KeyUse.SIGNATURE).generate();
        strangerKey =
                new RSAKeyGenerator(2048).keyID("k1").keyUse(KeyUse.SIGNATURE).generate();
        ecKey = new ECKeyGenerator(Curve.P_256)
                .keyID("ec1")
                .keyUse(KeyUse.SIGNATURE)
                .generate();
    }

    @AfterEach
    void stop() {
        if (keycloak != null) {
            keycloak.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private KeycloakAccessControl start(String audience) throws Exception {
        idp = new TestIdentityProvider(realmKey);
        keycloak = new KeycloakAccessControl(idp.settings(audience), Duration.ofSeconds(5));
        return keycloak;
    }

    private Optional<AuthUser> login(String user) {
        return keycloak.authenticate(user, user + "pw");
    }

    @Test
    void aValidTokenAdmitsTheUserWithItsClientRoles() throws Exception {
        start(CLIENT);
        Optional<AuthUser> alice = login("alice");
        assertThat(alice).isPresent();
        assertThat(alice.get().name()).isEqualTo("alice");
        // roles of other clients and roles that name no permission do not count
        assertThat(alice.get().permissions()).containsExactlyInAnyOrder(Permission.JOBS, Permission.BINARIES_READ);
        assertThat(keycloak.authenticate("alice", "wrong")).isEmpty();
    }

    @Test
    void theClientMayBeInAudOrInAzp() throws Exception {
        start(CLIENT);
        // Keycloak's usual access token: aud "account", the client in azp (the provider's default claims)
        assertThat(login("alice")).isPresent();
        // a provider that puts the client in aud only
        idp.tokens = user -> sign(
                realmKey, idp.claims(user).audience(CLIENT).claim("azp", null).build());
        assertThat(login("alice")).isPresent();
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() throws Exception {
        start(CLIENT);
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user)
                        .audience("other-api")
                        .claim("azp", "other-client")
                        .build());
        assertThat(login("alice")).isEmpty();
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).audience((String) null).claim("azp", null).build());
        assertThat(login("alice")).isEmpty();
    }

    @Test
    void aConfiguredAudienceReplacesTheClient() throws Exception {
        start("jobserver-api");
        // azp is our client, but the token is not for the configured audience
        assertThat(login("alice")).isEmpty();
        idp.tokens = user ->
                sign(realmKey, idp.claims(user).audience("jobserver-api").build());
        assertThat(login("alice")).isPresent();
    }

    @Test
    void keysAreCachedAndARotatedKeyIsFetchedByItsKid() throws Exception {
        start(CLIENT);
        assertThat(login("alice")).isPresent();
        assertThat(login("bob")).isPresent();
        assertThat(idp.keySetRequests).hasValue(1);

        // the realm rotates: a new key with a new kid, the old one withdrawn
        idp.keys = new JWKSet(rotatedKey);
        idp.tokens = user -> sign(rotatedKey, idp.claims(user).build());
        assertThat(login("alice")).isPresent();
        assertThat(idp.keySetRequests).hasValue(2);
        assertThat(login("bob")).isPresent();
        assertThat(idp.keySetRequests).hasValue(2);
    }

    @Test
    void ecSignaturesAreAccepted() throws Exception {
        start(CLIENT);
        idp.keys = new JWKSet(java.util.List.of(realmKey, ecKey));
        idp.tokens = user -> sign(ecKey, idp.claims(user).build());
        assertThat(login("alice")).isPresent();
    }

    @Test
    void noOtherAlgorithmAndNoOtherKeyIsAccepted() throws Exception {
        start(CLIENT);
        // HS256 keyed with the realm's public key, which anyone can fetch: the classic algorithm confusion
        idp.tokens = user -> {
            try {
                SignedJWT jwt = new SignedJWT(
                        new JWSHeader.Builder(JWSAlgorithm.HS256)
                                .keyID(realmKey.getKeyID())
                                .type(JOSEObjectType.JWT)
                                .build(),
                        idp.claims(user).build());
                jwt.sign(new MACSigner(realmKey.toRSAPublicKey().getEncoded()));
                return jwt.serialize();
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(login("alice")).isEmpty();
        // unsigned
        idp.tokens = user -> new PlainJWT(idp.claims(user).build()).serialize();
        assertThat(login("alice")).isEmpty();
        // signed by another key under the realm key's kid
        idp.tokens = user -> sign(strangerKey, idp.claims(user).build());
        assertThat(login("alice")).isEmpty();
        // not a JWT at all
        idp.tokens = user -> "not-a-token";
        assertThat(login("alice")).isEmpty();
        // the realm's own key still works
        idp.tokens = user -> sign(realmKey, idp.claims(user).build());
        assertThat(login("alice")).isPresent();
    }

    @Test
    void aTokenNotYetValidIsRefusedBeyondTheClockSkew() throws Exception {
        start(CLIENT);
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).notBeforeTime(in(Duration.ofMinutes(5))).build());
        assertThat(login("alice")).isEmpty();
        // within the 60 s allowed for clocks that differ
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).notBeforeTime(in(Duration.ofSeconds(20))).build());
        assertThat(login("alice")).isPresent();
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheClockSkew() throws Exception {
        start(CLIENT);
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).expirationTime(in(Duration.ofMinutes(-5))).build());
        assertThat(login("alice")).isEmpty();
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).expirationTime(in(Duration.ofSeconds(-20))).build());
        assertThat(login("alice")).isPresent();
        // a token that never expires is not an access token we accept
        idp.tokens =
                user -> sign(realmKey, idp.claims(user).expirationTime(null).build());
        assertThat(login("alice")).isEmpty();
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() throws Exception {
        start(CLIENT);
        idp.tokens = user -> sign(
                realmKey,
                idp.claims(user).issuer("http://127.0.0.1:1/realms/test").build());
        assertThat(login("alice")).isEmpty();
        idp.tokens = user -> sign(realmKey, idp.claims(user).issuer(null).build());
        assertThat(login("alice")).isEmpty();
    }

    @Test
    void withoutDiscoveryKeycloaksPathsAreUsed() throws Exception {
        idp = new TestIdentityProvider(realmKey);
        idp.discovery = false;
        keycloak = new KeycloakAccessControl(idp.settings(CLIENT), Duration.ofSeconds(5));
        assertThat(login("alice")).isPresent();
        assertThat(idp.keySetRequests).hasValue(1);
        // the signature and audience are still checked
        idp.tokens = user -> sign(strangerKey, idp.claims(user).build());
        assertThat(login("alice")).isEmpty();
        idp.tokens =
                user -> sign(realmKey, idp.claims(user).claim("azp", "other").build());
        assertThat(login("alice")).isEmpty();
    }

    @Test
    void keysThatCannotBeFetchedAreAnOutageNotARefusal() throws Exception {
        start(CLIENT);
        idp.keySetStatus = 500;
        assertThatThrownBy(() -> login("alice"))
                .isInstanceOf(AccessControl.AccessControlException.class)
                .hasMessageContaining("keys are unavailable");
    }

    @Test
    void anUnreachableProviderIsAnOutage() {
        keycloak = new KeycloakAccessControl(
                new AuthSettings.Keycloak(
                        java.net.URI.create("http://127.0.0.1:1/realms/test"), null, CLIENT, null, CLIENT),
                Duration.ofSeconds(5));
        assertThatThrownBy(() -> login("alice"))
                .isInstanceOf(AccessControl.AccessControlException.class)
                .hasMessageContaining("unreachable");
    }

    private static Date in(Duration duration) {
        return Date.from(Instant.now().plus(duration));
    }
}
