package spark.jobserver.server.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import spark.jobserver.server.http.ApiDoc;
import spark.jobserver.server.http.ApiException;

/** The pure parts of idempotency keys: what a valid key is, its scope, a request's fingerprint, which answers are kept. */
final class IdempotencyKeys {
    static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {}

    /**
     * The one key of a request's {@code Idempotency-Key} headers: 1 to 255 visible ASCII characters (what fits any
     * UUID, ULID or random token, and nothing a log line or a header would mangle).
     *
     * @throws ApiException 400 for an empty, long or non-ASCII key, or more than one header
     */
    static String validate(List<String> values) {
        if (values.size() != 1) {
            throw invalid("one " + ApiDoc.IDEMPOTENCY_KEY + " header, not " + values.size());
        }
        String key = values.get(0);
        if (key.isEmpty() || key.length() > MAX_LENGTH) {
            throw invalid("1 to " + MAX_LENGTH + " characters, not " + key.length());
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '!' || c > '~') {
                throw invalid(
                        "visible ASCII characters only (a character 0x" + Integer.toHexString(c) + " at " + i + ")");
            }
        }
        return key;
    }

    private static ApiException invalid(String expected) {
        return ApiException.error(400, "Invalid " + ApiDoc.IDEMPOTENCY_KEY + ": " + expected);
    }

    /**
     * What the database stores for a key: a hash of it with who sent it and to which route (the route's pattern,
     * {@code /contexts/{name}}: a key reused for another context is a different request, 422, not a new key). Each
     * part is length-prefixed, so that no two scopes hash the same text. The raw key is never stored.
     */
    static String scope(String user, String method, String route, String key) {
        return sha256(part(user) + part(method) + part(route) + part(key));
    }

    /**
     * What makes two requests with one key the same request: method, path, query, content type, and what stands
     * for the body ({@link #bodyHash} of a body read whole, {@link #streamedBody} of one the route streams).
     */
    static String fingerprint(String method, String path, String query, String contentType, String body) {
        return sha256(part(method) + part(path) + part(query) + part(contentType) + part(body));
    }

    static String bodyHash(byte[] body) {
        return "sha256:" + HexFormat.of().formatHex(digest().digest(body));
    }

    /** A streamed body is not read twice: its length (-1 when chunked) stands for it. */
    static String streamedBody(long contentLength) {
        return "length:" + contentLength;
    }

    /**
     * Whether an answer releases its key instead of being stored. A 503 (NO SLOTS AVAILABLE, the authentication
     * pool busy) and a 429 say "nothing was done, try again later": keeping them would turn a retry the server
     * asked for into the same refusal for the whole window. Every other answer is kept, 4xx and other 5xx
     * included: a 500 may follow work that was started (a sync job past its timeout goes on running), and running
     * such a request again is what the key is there to prevent (Stripe keeps them too).
     */
    static boolean releasesKey(int status) {
        return status == 503 || status == 429;
    }

    private static String part(String s) {
        String value = s == null ? "" : s;
        return value.length() + ":" + value + ";";
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
