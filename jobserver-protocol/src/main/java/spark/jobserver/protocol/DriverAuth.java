package spark.jobserver.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Challenge-response between the server and its drivers. A driver proves it holds its context's
 * secret by answering a fresh nonce (or signing a request path) with a proof the server checks, so the
 * secret itself never crosses the connection.
 *
 * <p>Contexts launched by this version get an Ed25519 key pair: the driver's secret is the private key
 * ({@code ed25519:<base64 PKCS#8>}), and the server keeps only the public key
 * ({@code ed25519-pub:<base64 X.509>}) as the verifier, in memory and in its database. Whoever reads the
 * database therefore cannot answer a challenge. A secret that is a plain random token (contexts recorded
 * by earlier versions, tests) is its own verifier and the proof is an HMAC-SHA256, as before.
 */
public final class DriverAuth {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();
    private static final String PRIVATE_PREFIX = "ed25519:";
    private static final String PUBLIC_PREFIX = "ed25519-pub:";

    private DriverAuth() {}

    /**
     * What the server makes for a new context.
     *
     * @param secret given to the driver only (environment), never stored
     * @param verifier what the server keeps to check the driver's proofs; cannot make one
     */
    public record Credentials(String secret, String verifier) {
        @Override
        public String toString() {
            return "Credentials[secret=****, verifier=" + verifier + "]";
        }
    }

    /** A new random secret or nonce, 32 bytes as hex. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    /** A new Ed25519 key pair as a driver secret and its verifier. */
    public static Credentials newCredentials() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Base64.Encoder b64 = Base64.getEncoder();
            return new Credentials(
                    PRIVATE_PREFIX + b64.encodeToString(pair.getPrivate().getEncoded()),
                    PUBLIC_PREFIX + b64.encodeToString(pair.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available", e);
        }
    }

    /**
     * The proof of {@code message} under {@code secret}, hex: an Ed25519 signature for key-pair secrets,
     * an HMAC-SHA256 for plain tokens.
     */
    public static String mac(String secret, String message) {
        try {
            if (secret.startsWith(PRIVATE_PREFIX)) {
                PrivateKey key = KeyFactory.getInstance("Ed25519")
                        .generatePrivate(new PKCS8EncodedKeySpec(
                                Base64.getDecoder().decode(secret.substring(PRIVATE_PREFIX.length()))));
                Signature signature = Signature.getInstance("Ed25519");
                signature.initSign(key);
                signature.update(message.getBytes(StandardCharsets.UTF_8));
                return HEX.formatHex(signature.sign());
            }
            return HEX.formatHex(hmac(secret, message));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "Cannot sign with the driver secret: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Whether {@code mac} proves {@code message} under the secret that {@code verifier} stands for: an
     * Ed25519 public key, or (legacy) the shared token itself, compared in constant time.
     */
    public static boolean verify(String verifier, String message, String mac) {
        if (mac == null || verifier == null) {
            return false;
        }
        try {
            if (verifier.startsWith(PUBLIC_PREFIX)) {
                PublicKey key = KeyFactory.getInstance("Ed25519")
                        .generatePublic(new X509EncodedKeySpec(
                                Base64.getDecoder().decode(verifier.substring(PUBLIC_PREFIX.length()))));
                Signature signature = Signature.getInstance("Ed25519");
                signature.initVerify(key);
                signature.update(message.getBytes(StandardCharsets.UTF_8));
                return signature.verify(HEX.parseHex(mac));
            }
            if (verifier.startsWith(PRIVATE_PREFIX)) {
                return false; // a private key is never a verifier
            }
            return MessageDigest.isEqual(
                    HEX.formatHex(hmac(verifier, message)).getBytes(StandardCharsets.UTF_8),
                    mac.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] hmac(String secret, String message) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }
}
