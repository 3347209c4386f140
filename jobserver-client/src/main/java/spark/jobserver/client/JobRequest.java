package spark.jobserver.client;

import static java.util.Objects.requireNonNull;

/**
 * A job to start: {@code POST /jobs}. Either an uploaded app and its class ({@link #of(String, String)}), or
 * a class path of binary names and URIs and a main class ({@link #ofClassPath(String, String)}).
 */
public final class JobRequest {
    private final String appName;
    private final String classPath;
    private final String cp;
    private final String mainClass;
    private String context;
    private String config = "";
    private String callbackUrl;
    private String proxyUser;
    private String idempotencyKey;

    private JobRequest(String appName, String classPath, String cp, String mainClass) {
        this.appName = appName;
        this.classPath = classPath;
        this.cp = cp;
        this.mainClass = mainClass;
    }

    /** The job class {@code classPath} (Python: {@code module.Class}) of the uploaded binary {@code appName}. */
    public static JobRequest of(String appName, String classPath) {
        return new JobRequest(
                requireNonNull(appName, "appName is null"), requireNonNull(classPath, "classPath is null"), null, null);
    }

    /** {@code mainClass} from {@code cp}: comma-separated binary names and/or URIs. */
    public static JobRequest ofClassPath(String cp, String mainClass) {
        return new JobRequest(
                null, null, requireNonNull(cp, "cp is null"), requireNonNull(mainClass, "mainClass is null"));
    }

    /** A running context to run in; without one the job gets an ad-hoc context of its own. */
    public JobRequest context(String context) {
        this.context = context;
        return this;
    }

    /** The job's configuration, HOCON or JSON text. */
    public JobRequest config(String config) {
        this.config = requireNonNull(config, "config is null");
        return this;
    }

    /** An http(s) URL the server POSTs the job's outcome to. */
    public JobRequest callbackUrl(String callbackUrl) {
        this.callbackUrl = callbackUrl;
        return this;
    }

    /** The user an ad-hoc context runs as. */
    public JobRequest proxyUser(String proxyUser) {
        this.proxyUser = proxyUser;
        return this;
    }

    /**
     * The Idempotency-Key to send (default: a new one per call). A caller that may send the same job again
     * after its own restart keeps the key and gives it here; the server then runs the job once.
     */
    public JobRequest idempotencyKey(String key) {
        this.idempotencyKey = key;
        return this;
    }

    String idempotencyKey() {
        return idempotencyKey;
    }

    String config() {
        return config;
    }

    Query query() {
        Query query = new Query();
        query.addIfPresent("appName", appName);
        query.addIfPresent("classPath", classPath);
        query.addIfPresent("cp", cp);
        query.addIfPresent("mainClass", mainClass);
        query.addIfPresent("context", context);
        query.addIfPresent("callbackUrl", callbackUrl);
        query.addIfPresent("spark.proxy.user", proxyUser);
        return query;
    }
}
