package spark.jobserver.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriverAuthTest {

    @Test
    void keyPairProofsVerifyOnlyWithTheirPublicKeyAndMessage() {
        DriverAuth.Credentials credentials = DriverAuth.newCredentials();
        String proof = DriverAuth.mac(credentials.secret(), "nonce-1");

        assertThat(DriverAuth.verify(credentials.verifier(), "nonce-1", proof)).isTrue();
        // a proof is bound to its nonce: replaying it against a new challenge fails
        assertThat(DriverAuth.verify(credentials.verifier(), "nonce-2", proof)).isFalse();
        assertThat(DriverAuth.verify(DriverAuth.newCredentials().verifier(), "nonce-1", proof))
                .isFalse();
        assertThat(DriverAuth.verify(credentials.verifier(), "nonce-1", "00ff")).isFalse();
        assertThat(DriverAuth.verify(credentials.verifier(), "nonce-1", "not hex"))
                .isFalse();
        assertThat(DriverAuth.verify(credentials.verifier(), "nonce-1", null)).isFalse();
    }

    @Test
    void theStoredVerifierCannotMakeProofs() {
        DriverAuth.Credentials credentials = DriverAuth.newCredentials();
        assertThat(credentials.verifier()).doesNotContain(credentials.secret().substring("ed25519:".length()));
        // whoever holds only the verifier (the database) cannot answer a challenge with it
        String forged = DriverAuth.mac(credentials.verifier(), "nonce");
        assertThat(DriverAuth.verify(credentials.verifier(), "nonce", forged)).isFalse();
        // and the secret is never accepted in place of a verifier
        assertThat(DriverAuth.verify(credentials.secret(), "nonce", DriverAuth.mac(credentials.secret(), "nonce")))
                .isFalse();
        assertThat(credentials.toString()).doesNotContain(credentials.secret());
    }

    @Test
    void plainTokensStillWorkAsSharedSecrets() {
        String token = DriverAuth.randomToken();
        assertThat(DriverAuth.verify(token, "path", DriverAuth.mac(token, "path")))
                .isTrue();
        assertThat(DriverAuth.verify(token, "path", DriverAuth.mac(DriverAuth.randomToken(), "path")))
                .isFalse();
    }
}
