package spark.jobserver.server.drivers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.MoreFiles;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.http.TlsSettings;

/**
 * What drivers need to dial back to an HTTPS server, kept under {@code <rootdir>/tls} (mode 0700):
 * the server's own certificate, which drivers pin, and, when client certificates are required, a client
 * identity made once for the drivers (an EC key pair by the JDK's keytool), which the server trusts in
 * addition to its truststore and accepts on the drivers' routes only. Drivers learn the files and
 * passwords from their environment, never their command line.
 */
public final class DriverTrust {
    private static final Logger LOG = LoggerFactory.getLogger(DriverTrust.class);
    private static final String TRUST_FILE = "driver-trust.p12";
    private static final String IDENTITY_FILE = "driver-identity.p12";
    private static final String IDENTITY_PASSWORD_FILE = "driver-identity.password";
    /** Protects nothing secret (certificates only); PKCS#12 wants one for its integrity check. */
    private static final String TRUST_PASSWORD = "jobserver-trust";

    private final Map<String, String> environment;
    private final X509Certificate driverCertificate;

    private DriverTrust(Map<String, String> environment, X509Certificate driverCertificate) {
        this.environment = Map.copyOf(environment);
        this.driverCertificate = driverCertificate;
    }

    /** Writes (or reuses) the files for these TLS settings. */
    public static DriverTrust prepare(TlsSettings tls, Path rootDir) throws IOException, GeneralSecurityException {
        Path dir = rootDir.resolve("tls");
        Files.createDirectories(dir);
        restrict(dir, "rwx------");
        Map<String, String> env = new LinkedHashMap<>();

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("jobserver-server", tls.serverCertificate());
        Path trustFile = dir.resolve(TRUST_FILE);
        Path tmp = Files.createTempFile(dir, TRUST_FILE, ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            trust.store(out, TRUST_PASSWORD.toCharArray());
        }
        MoreFiles.moveIntoPlace(tmp, trustFile);
        env.put(DriverLaunch.TLS_TRUSTSTORE_ENV, trustFile.toString());
        env.put(DriverLaunch.TLS_TRUSTSTORE_PASSWORD_ENV, TRUST_PASSWORD);

        X509Certificate identity = null;
        if (tls.clientAuth()) {
            Path identityFile = dir.resolve(IDENTITY_FILE);
            Path passwordFile = dir.resolve(IDENTITY_PASSWORD_FILE);
            if (!Files.isRegularFile(identityFile) || !Files.isRegularFile(passwordFile)) {
                makeIdentity(identityFile, passwordFile);
            }
            String password = Files.readString(passwordFile).trim();
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(identityFile)) {
                store.load(in, password.toCharArray());
            }
            identity = (X509Certificate) store.getCertificate("driver");
            if (identity == null) {
                throw new GeneralSecurityException(identityFile + " holds no driver certificate");
            }
            env.put(DriverLaunch.TLS_KEYSTORE_ENV, identityFile.toString());
            env.put(DriverLaunch.TLS_KEYSTORE_PASSWORD_ENV, password);
        }
        return new DriverTrust(env, identity);
    }

    /** Nothing to add: plain HTTP. */
    public static DriverTrust none() {
        return new DriverTrust(Map.of(), null);
    }

    /** Environment variables for every driver launched (file paths and passwords; never logged). */
    public Map<String, String> environment() {
        return environment;
    }

    /** The drivers' client certificate, which the server trusts besides its truststore. */
    public Optional<X509Certificate> driverCertificate() {
        return Optional.ofNullable(driverCertificate);
    }

    /** Whether a client presented the drivers' certificate. */
    public boolean isDriverCertificate(X509Certificate certificate) {
        return driverCertificate != null && driverCertificate.equals(certificate);
    }

    private static void makeIdentity(Path identityFile, Path passwordFile) throws IOException {
        String password = DriverAuth.randomToken();
        Files.deleteIfExists(identityFile);
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile);
        restrict(passwordFile, "rw-------");
        Files.writeString(passwordFile, password);
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "driver",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=jobserver-driver",
                "-validity",
                "36500",
                "-storetype",
                "PKCS12",
                "-keystore",
                identityFile.toString(),
                "-storepass:file",
                passwordFile.toString(),
                "-keypass:file",
                passwordFile.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool could not make the drivers' client certificate: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while making the drivers' client certificate", e);
        }
        restrict(identityFile, "rw-------");
        LOG.info("Made the drivers' TLS client certificate {}", identityFile);
    }

    private static void restrict(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }
}
