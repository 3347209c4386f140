package spark.jobserver.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Challenge-response between the server and its drivers. The server gives each context a random
 * secret at launch; a driver proves it holds it by answering a fresh nonce with its HMAC, so the
 * secret itself never crosses the connection.
 */
public final class DriverAuth {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private DriverAuth() {}

    /** A new random secret or nonce, 32 bytes as hex. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    /** HMAC-SHA256 of {@code message} under {@code secret}, hex. */
    public static String mac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HEX.formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code mac} is the HMAC of {@code message} under {@code secret}, in constant time. */
    public static boolean verify(String secret, String message, String mac) {
        if (mac == null) {
            return false;
        }
        return MessageDigest.isEqual(
                mac(secret, message).getBytes(StandardCharsets.UTF_8), mac.getBytes(StandardCharsets.UTF_8));
    }
}
