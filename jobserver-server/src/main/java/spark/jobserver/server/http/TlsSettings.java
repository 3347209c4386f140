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
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import spark.jobserver.server.config.ConfigProblems;

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
        ConfigProblems problems = new ConfigProblems(root);
        boolean on = problems.bindOptional(
                root,
                p + "ssl-encryption",
                (c, key) -> {
                    try {
                        return c.getBoolean(key);
                    } catch (ConfigException.WrongType e) {
                        throw new IllegalArgumentException("must be on or off");
                    }
                },
                false);
        if (!on) {
            problems.throwIfAny("Invalid HTTPS configuration (akka.http.server)");
            return Optional.empty();
        }
        String k = p + "keystore";
        Path keystore = problems.bind(k, () -> readableFile(k, root.hasPath(k) ? root.getString(k) : "", true), null);
        String t = p + "truststore";
        Path truststore =
                problems.bind(t, () -> readableFile(t, root.hasPath(t) ? root.getString(t) : "", false), null);
        TlsSettings settings = new TlsSettings(
                keystore == null ? Path.of("") : keystore,
                problems.bindOptional(root, p + "keystorePW", Config::getString, ""),
                problems.bindOptional(root, p + "keystoreType", Config::getString, "JKS"),
                problems.bindOptional(root, p + "provider", Config::getString, "SunX509"),
                tlsProtocol(problems.bindOptional(root, p + "encryptionType", Config::getString, "TLS")),
                truststore,
                problems.bindOptional(root, p + "truststorePW", Config::getString, ""),
                problems.bindOptional(root, p + "truststore-type", Config::getString, "JKS"),
                problems.bindOptional(root, p + "truststore-provider", Config::getString, "SunX509"));
        if (problems.isEmpty()) {
            try {
                settings.loadKeyStore();
            } catch (IOException | GeneralSecurityException e) {
                problems.add(p + "keystore", p + "keystore: cannot read the keystore: " + e.getMessage());
            }
            if (settings.clientAuth()) {
                try {
                    settings.loadTrustStore();
                } catch (IOException | GeneralSecurityException e) {
                    problems.add(p + "truststore", p + "truststore: cannot read the truststore: " + e.getMessage());
                }
            }
        }
        problems.throwIfAny("Invalid HTTPS configuration (akka.http.server)");
        return Optional.of(settings);
    }

    /** For a getter: the readable file {@code name} names, or null for none when it is optional. */
    private static Path readableFile(String key, String name, boolean required) {
        if (name.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(key + " is required when ssl-encryption is on");
            }
            return null;
        }
        Path file = Path.of(name).toAbsolutePath();
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read " + file);
        }
        return file;
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
}
