package spark.jobserver.driver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import spark.jobserver.protocol.DriverLaunch;

/**
 * TLS towards an HTTPS server: trusts exactly the server certificate(s) the launcher names in the
 * environment (pinned, so the host name the driver dials does not matter) and presents the drivers'
 * client certificate when the launcher gives one. Without those variables the server speaks plain HTTP.
 */
final class DriverTls {
    private DriverTls() {}

    /** Sets the server client's TLS from the environment, if the launcher gave any. */
    static HttpClient.Builder configure(HttpClient.Builder builder, Map<String, String> env) {
        String trustFile = env.get(DriverLaunch.TLS_TRUSTSTORE_ENV);
        if (trustFile == null || trustFile.isBlank()) {
            return builder;
        }
        try {
            KeyStore trust = load(trustFile, env.getOrDefault(DriverLaunch.TLS_TRUSTSTORE_PASSWORD_ENV, ""));
            List<X509Certificate> pinned = new ArrayList<>();
            for (String alias : Collections.list(trust.aliases())) {
                Certificate c = trust.getCertificate(alias);
                if (c instanceof X509Certificate x509) {
                    pinned.add(x509);
                }
            }
            KeyManager[] keyManagers = null;
            String identityFile = env.get(DriverLaunch.TLS_KEYSTORE_ENV);
            if (identityFile != null && !identityFile.isBlank()) {
                String password = env.getOrDefault(DriverLaunch.TLS_KEYSTORE_PASSWORD_ENV, "");
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(identityFile, password), password.toCharArray());
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, new X509ExtendedTrustManager[] {new Pinned(pinned)}, null);
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            return builder.sslContext(context).sslParameters(parameters);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot set up TLS towards the server: " + e.getMessage(), e);
        }
    }

    /**
     * A PKCS#12 store from a file path, or inline as {@code base64:<bytes>} (how a driver on another
     * host gets it: the server's files are not there).
     */
    private static KeyStore load(String fileOrInline, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = fileOrInline.startsWith(DriverLaunch.INLINE_PREFIX)
                ? new ByteArrayInputStream(
                        Base64.getDecoder().decode(fileOrInline.substring(DriverLaunch.INLINE_PREFIX.length())))
                : Files.newInputStream(Path.of(fileOrInline))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }

    /** Accepts a server whose own certificate is one of the pinned ones and currently valid. */
    private static final class Pinned extends X509ExtendedTrustManager {
        private final List<X509Certificate> pinned;

        Pinned(List<X509Certificate> pinned) {
            this.pinned = List.copyOf(pinned);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0 || !pinned.contains(chain[0])) {
                throw new CertificateException("The server's certificate is not the one this driver was given");
            }
            chain[0].checkValidity();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("A driver accepts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pinned.toArray(new X509Certificate[0]);
        }
    }
}
