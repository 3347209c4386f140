package spark.jobserver.server.http;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS settings under {@code akka.http.server}, with the reference's keys: {@code ssl-encryption = on},
 * {@code keystore}/{@code keystorePW}/{@code keystoreType} (JKS or PKCS12), {@code provider} (key manager
 * algorithm), {@code encryptionType} (SSL context protocol); a {@code truststore} (+ {@code truststorePW},
 * {@code truststore-type}, {@code truststore-provider}) makes client certificates required. Only TLS 1.2
 * and 1.3 are enabled, whatever {@code enabledProtocols} says.
 */
public record TlsSettings(
        Path keystore,
        String keystorePassword,
        String keystoreType,
        String keyManagerAlgorithm,
        String protocol,
        Path truststore,
        String truststorePassword,
        String truststoreType,
        String trustManagerAlgorithm) {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public TlsSettings {
        requireNonNull(keystore, "keystore is null");
        requireNonNull(keystorePassword, "keystorePassword is null");
    }

    /** Whether clients must present a certificate the truststore trusts. */
    public boolean clientAuth() {
        return truststore != null;
    }

    @Override
    public String toString() {
        return "TlsSettings[keystore=" + keystore + ", keystoreType=" + keystoreType + ", truststore=" + truststore
                + ", passwords=****]";
    }

    /**
     * The TLS settings, or empty when {@code ssl-encryption} is off (the default).
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static Optional<TlsSettings> from(Config root) {
        String p = "akka.http.server.";
        if (!root.hasPath(p + "ssl-encryption") || !bool(root, p + "ssl-encryption")) {
            return Optional.empty();
        }
        List<String> problems = new ArrayList<>();
        Path keystore = readableFile(root, p + "keystore", problems);
        String keystorePw = string(root, p + "keystorePW", "");
        Path truststore = root.hasPath(p + "truststore")
                        && !root.getString(p + "truststore").isBlank()
                ? readableFile(root, p + "truststore", problems)
                : null;
        TlsSettings settings = new TlsSettings(
                keystore == null ? Path.of("") : keystore,
                keystorePw,
                string(root, p + "keystoreType", "JKS"),
                string(root, p + "provider", "SunX509"),
                tlsProtocol(string(root, p + "encryptionType", "TLS")),
                truststore,
                string(root, p + "truststorePW", ""),
                string(root, p + "truststore-type", "JKS"),
                string(root, p + "truststore-provider", "SunX509"));
        if (problems.isEmpty()) {
            try {
                settings.loadKeyStore();
                if (settings.clientAuth()) {
                    settings.loadTrustStore();
                }
            } catch (IOException | GeneralSecurityException e) {
                problems.add("cannot read the "
                        + (e.getMessage() != null && e.getMessage().contains("truststore") ? "truststore" : "keystore")
                        + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid HTTPS configuration (akka.http.server):\n  - " + String.join("\n  - ", problems));
        }
        return Optional.of(settings);
    }

    /** "SSL" (the reference's default) and "TLS" both mean TLS here: the enabled protocol versions decide. */
    private static String tlsProtocol(String encryptionType) {
        return encryptionType.equalsIgnoreCase("SSL") ? "TLS" : encryptionType;
    }

    public KeyStore loadKeyStore() throws IOException, GeneralSecurityException {
        return load(keystore, keystoreType, keystorePassword, "keystore");
    }

    public KeyStore loadTrustStore() throws IOException, GeneralSecurityException {
        return load(truststore, truststoreType, truststorePassword, "truststore");
    }

    private static KeyStore load(Path file, String type, String password, String what)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        } catch (IOException e) {
            throw new IOException(what + " " + file + " (" + type + "): " + e.getMessage(), e);
        }
        return store;
    }

    /** The server's own certificate: the first certificate of the keystore's first key entry. */
    public X509Certificate serverCertificate() throws IOException, GeneralSecurityException {
        KeyStore store = loadKeyStore();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                Certificate[] chain = store.getCertificateChain(alias);
                if (chain != null && chain.length > 0 && chain[0] instanceof X509Certificate x509) {
                    return x509;
                }
            }
        }
        throw new GeneralSecurityException("keystore " + keystore + " holds no private key with a certificate");
    }

    /**
     * Jetty's server-side TLS: this keystore, TLS 1.2+ only; with a truststore, client certificates are
     * required and must chain to it or be one of {@code extraTrusted}.
     */
    public SslContextFactory.Server contextFactory(Collection<X509Certificate> extraTrusted)
            throws IOException, GeneralSecurityException {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(loadKeyStore());
        factory.setKeyStorePassword(keystorePassword);
        factory.setKeyManagerPassword(keystorePassword);
        factory.setKeyManagerFactoryAlgorithm(keyManagerAlgorithm);
        factory.setProtocol(protocol);
        factory.setIncludeProtocols(PROTOCOLS);
        // Jetty's default cipher exclusions (no NULL, export, DES, RC4, MD5, ...) stay in force.
        factory.setSniRequired(false);
        if (clientAuth()) {
            KeyStore trust = loadTrustStore();
            int i = 0;
            for (X509Certificate extra : extraTrusted) {
                trust.setCertificateEntry("jobserver-extra-" + i++, extra);
            }
            factory.setTrustStore(trust);
            factory.setTrustManagerFactoryAlgorithm(trustManagerAlgorithm);
            factory.setNeedClientAuth(true);
        }
        return factory;
    }

    private static boolean bool(Config root, String path) {
        try {
            return root.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(path + " must be on or off", e);
        }
    }

    private static String string(Config root, String path, String fallback) {
        return root.hasPath(path) ? root.getString(path) : fallback;
    }

    private static Path readableFile(Config root, String path, List<String> problems) {
        if (!root.hasPath(path) || root.getString(path).isBlank()) {
            problems.add(path + " is required when ssl-encryption is on");
            return null;
        }
        Path file = Path.of(root.getString(path)).toAbsolutePath();
        if (!Files.isReadable(file)) {
            problems.add(path + ": cannot read " + file);
            return null;
        }
        return file;
    }
}
