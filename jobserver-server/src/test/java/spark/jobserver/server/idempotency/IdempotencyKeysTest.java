package spark.jobserver.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import spark.jobserver.server.http.ApiException;

class IdempotencyKeysTest {

    @Test
    void aKeyIsOneToTwoHundredFiftyFiveVisibleAsciiCharacters() {
        assertThat(IdempotencyKeys.validate(List.of("8e03978e-40d5-43e8-bc93-6894a57f9324")))
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
        assertThat(IdempotencyKeys.validate(List.of("\"quoted\"~!"))).isEqualTo("\"quoted\"~!");
        assertThat(IdempotencyKeys.validate(List.of("k".repeat(255)))).hasSize(255);
        for (String bad : List.of("", "k".repeat(256), "a b", "tab\t", "caf\u00e9", "\u0000")) {
            assertThatThrownBy(() -> IdempotencyKeys.validate(List.of(bad)))
                    .as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.httpStatus()).isEqualTo(400);
                        assertThat(e.getMessage()).startsWith("Invalid Idempotency-Key: ");
                    });
        }
        assertThatThrownBy(() -> IdempotencyKeys.validate(List.of("a", "b")))
                .hasMessage("Invalid Idempotency-Key: one Idempotency-Key header, not 2");
    }

    @Test
    void theScopeIsUserMethodRouteAndKeyAndNoTwoScopesHashTheSame() {
        String scope = IdempotencyKeys.scope("alice", "POST", "/jobs", "k1");
        assertThat(scope).hasSize(64).isEqualTo(IdempotencyKeys.scope("alice", "POST", "/jobs", "k1"));
        assertThat(List.of(
                        IdempotencyKeys.scope("bob", "POST", "/jobs", "k1"),
                        IdempotencyKeys.scope("alice", "PUT", "/jobs", "k1"),
                        IdempotencyKeys.scope("alice", "POST", "/contexts/{name}", "k1"),
                        IdempotencyKeys.scope("alice", "POST", "/jobs", "k2"),
                        // parts are length-prefixed: moving text from one part to the next is another scope
                        IdempotencyKeys.scope("alic", "ePOST", "/jobs", "k1")))
                .doesNotContain(scope)
                .doesNotHaveDuplicates();
        assertThat(scope).doesNotContain("k1");
    }

    @Test
    void theFingerprintCoversMethodPathQueryContentTypeAndBody() {
        String body = IdempotencyKeys.bodyHash("input.string = a b".getBytes(StandardCharsets.UTF_8));
        String fp = IdempotencyKeys.fingerprint("POST", "/jobs", "appName=a", "text/plain", body);
        assertThat(fp).isEqualTo(IdempotencyKeys.fingerprint("POST", "/jobs", "appName=a", "text/plain", body));
        assertThat(List.of(
                        IdempotencyKeys.fingerprint("POST", "/jobs", "appName=b", "text/plain", body),
                        IdempotencyKeys.fingerprint("POST", "/jobs", null, "text/plain", body),
                        IdempotencyKeys.fingerprint("POST", "/jobs", "appName=a", "application/json", body),
                        IdempotencyKeys.fingerprint(
                                "POST", "/jobs", "appName=a", "text/plain", IdempotencyKeys.bodyHash(new byte[0]))))
                .doesNotContain(fp);
        assertThat(IdempotencyKeys.streamedBody(1234)).isNotEqualTo(IdempotencyKeys.streamedBody(1235));
    }

    @Test
    void onlyTryLaterAnswersReleaseTheKey() {
        assertThat(IdempotencyKeys.releasesKey(503)).isTrue();
        assertThat(IdempotencyKeys.releasesKey(429)).isTrue();
        for (int kept : new int[] {200, 201, 202, 400, 404, 409, 500, 504}) {
            assertThat(IdempotencyKeys.releasesKey(kept)).as("%d", kept).isFalse();
        }
    }
}
