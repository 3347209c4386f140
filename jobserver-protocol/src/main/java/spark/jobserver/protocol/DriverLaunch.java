package spark.jobserver.protocol;

/** What the server passes to a driver JVM it launches. */
public final class DriverLaunch {
    /** Main class of the driver (run through SparkSubmit). */
    public static final String MAIN_CLASS = "spark.jobserver.driver.DriverMain";
    /**
     * Environment variable holding the context's secret; never on the command line. Every variable the
     * server gives a driver starts with {@code SPARK_}: a standalone master forwards only those to a
     * driver it runs in cluster deploy mode.
     */
    public static final String SECRET_ENV = "SPARK_JOBSERVER_CONTEXT_SECRET";
    /** WebSocket path on the server's HTTP port that drivers dial. */
    public static final String WEBSOCKET_PATH = "/driver/ws";
    /** HTTP path prefix from which drivers fetch uploaded binaries by hash. */
    public static final String BINARY_PATH = "/driver/binaries/";
    /**
     * HTTP path prefix from which drivers fetch files uploaded with {@code POST /data}: the prefix is
     * followed by the file's absolute server path, URL-encoded as one segment ({@code /} as {@code %2F},
     * space as {@code %20}). Authenticated like binary fetches, the HMAC covering the raw (encoded) path.
     */
    public static final String DATA_PATH = "/driver/data/";
    /**
     * HTTP path prefix to which a driver uploads the bytes of a job's stream result
     * ({@code POST /driver/results/<jobId>}, authenticated like binary fetches), before it sends
     * {@link Message.JobStreamFinished}.
     */
    public static final String RESULT_PATH = "/driver/results/";
    /**
     * HTTP path from which a driver fetches its configuration (who it is, where the server is, its limits,
     * the context's settings): {@code GET /driver/contexts/<contextId>/config}, authenticated like binary
     * fetches. A driver gets only the server's URL and its context id as arguments, so that it can run
     * on any host.
     */
    public static final String CONTEXT_CONFIG_PATH = "/driver/contexts/";

    public static final String CONTEXT_CONFIG_SUFFIX = "/config";

    /**
     * HTTP path prefix from which a cluster fetches the driver's jar ({@code GET /driver/runtime/<file>}),
     * when the driver runs on one of its nodes: unauthenticated, as cluster managers fetch jars by URL.
     * Only the driver jar is served there.
     */
    public static final String RUNTIME_PATH = "/driver/runtime/";

    /** Request header carrying {@code <contextId>:<hmac of the request path>} on binary and data fetches. */
    public static final String AUTH_HEADER = "X-Jobserver-Driver";

    /**
     * With HTTPS on: environment variables naming the PKCS#12 file of the server certificate(s) a driver
     * trusts (exactly those: pinned, whatever host name the driver dials) and its password.
     */
    public static final String TLS_TRUSTSTORE_ENV = "SPARK_JOBSERVER_TLS_TRUSTSTORE";

    /** A TLS store variable may hold the store itself, {@code base64:<PKCS#12 bytes>}, instead of a path. */
    public static final String INLINE_PREFIX = "base64:";

    public static final String TLS_TRUSTSTORE_PASSWORD_ENV = "SPARK_JOBSERVER_TLS_TRUSTSTORE_PASSWORD";
    /** With client certificates required: the PKCS#12 file of the drivers' client certificate and its password. */
    public static final String TLS_KEYSTORE_ENV = "SPARK_JOBSERVER_TLS_KEYSTORE";

    public static final String TLS_KEYSTORE_PASSWORD_ENV = "SPARK_JOBSERVER_TLS_KEYSTORE_PASSWORD";

    /**
     * JVM options Spark needs on JDK 17 and later, as Spark's own launcher adds them
     * ({@code org.apache.spark.launcher.JavaModuleOptions}).
     */
    public static final java.util.List<String> SPARK_JVM_OPTIONS = java.util.List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private DriverLaunch() {}
}
