package spark.jobserver.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key material made for a test with the JDK's keytool: a server key pair for 127.0.0.1/localhost (JKS
 * and PKCS#12), a client key pair the server's truststore trusts, a stranger's key pair it does not, and
 * a truststore with which clients trust the server.
 */
final class TlsKeys {
    static final String PASSWORD = "changeit";
    final Path dir;

    private TlsKeys(Path dir) {
        this.dir = dir;
    }

    static TlsKeys make(Path dir) {
        try {
            Files.createDirectories(dir);
            TlsKeys keys = new TlsKeys(dir);
            keys.keyPair("server.jks", "JKS", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
            keys.keytool(
                    "-importkeystore",
                    "-srckeystore",
                    keys.path("server.jks"),
                    "-srcstoretype",
                    "JKS",
                    "-srcstorepass",
                    PASSWORD,
                    "-destkeystore",
                    keys.path("server.p12"),
                    "-deststoretype",
                    "PKCS12",
                    "-deststorepass",
                    PASSWORD,
                    "-noprompt");
            keys.keytool(
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "key",
                    "-keystore",
                    keys.path("server.jks"),
                    "-storepass",
                    PASSWORD,
                    "-file",
                    keys.path("server.pem"));
            keys.keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "server",
                    "-file",
                    keys.path("server.pem"),
                    "-keystore",
                    keys.path("client-trust.p12"),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    PASSWORD);
            keys.keyPair("client.p12", "PKCS12", "CN=trusted-client", null);
            keys.keytool(
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "key",
                    "-keystore",
                    keys.path("client.p12"),
                    "-storepass",
                    PASSWORD,
                    "-file",
                    keys.path("client.pem"));
            keys.keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "client",
                    "-file",
                    keys.path("client.pem"),
                    "-keystore",
                    keys.path("truststore.jks"),
                    "-storetype",
                    "JKS",
                    "-storepass",
                    PASSWORD);
            keys.keyPair("stranger.p12", "PKCS12", "CN=stranger", null);
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the key material. */
    void delete() {
        deleteTree(dir);
    }

    static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: nothing more to do
        }
    }

    String path(String file) {
        return dir.resolve(file).toString();
    }

    private void keyPair(String file, String type, String dname, String san) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                "key",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                type,
                "-keystore",
                path(file),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD));
        if (san != null) {
            args.add("-ext");
            args.add(san);
        }
        keytool(args.toArray(new String[0]));
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A client that trusts the server, presenting {@code clientKeystore} (PKCS#12) or no certificate (null). */
    SSLContext clientContext(String clientKeystore) {
        return clientContext(clientKeystore, PASSWORD);
    }

    SSLContext clientContext(String clientKeystore, String password) {
        try {
            KeyStore trust = load(path("client-trust.p12"), "PKCS12");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientKeystore != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(load(clientKeystore, "PKCS12", password), password.toCharArray());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyStore load(String file, String type) throws IOException, GeneralSecurityException {
        return load(file, type, PASSWORD);
    }

    static KeyStore load(String file, String type, String password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            store.load(in, password.toCharArray());
        }
        return store;
    }
}
