package spark.jobserver.server.auth;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import spark.jobserver.server.config.ConfigProblems;

/**
 * The {@code access-control} section, with the reference's keys: which provider, its settings, the
 * authentication timeout, how many authentications may run at once, the login cache, and whether the
 * user becomes the proxy user of its contexts.
 *
 * @param maxConcurrentAuthentications ours ({@code max-concurrent-authentications}): checks running at
 *     once; one more is answered 503 at once
 * @param publicMetrics ours ({@code public-metrics}, default on): {@code /metrics}, {@code /metricz} and
 *     {@code /statusz} need no login, so a Prometheus scraper needs no account
 * @param publicApiDocs ours ({@code public-api-docs}, default on): {@code /openapi.json} and the Swagger UI
 *     need no login
 */
public record AuthSettings(
        Provider provider,
        Duration authTimeout,
        int maxConcurrentAuthentications,
        boolean useCache,
        Duration cacheTimeToLive,
        int cacheMaxEntries,
        boolean useAsProxyUser,
        Path shiroConfigPath,
        Keycloak keycloak,
        boolean publicMetrics,
        boolean publicApiDocs) {

    static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    static final int DEFAULT_MAX_CONCURRENT_AUTHENTICATIONS = 16;
    static final Duration DEFAULT_CACHE_TIME_TO_LIVE = Duration.ofMinutes(15);
    static final int DEFAULT_CACHE_MAX_ENTRIES = 512;

    public AuthSettings {
        requireNonNull(provider, "provider is null");
        requireNonNull(authTimeout, "authTimeout is null");
        requireNonNull(cacheTimeToLive, "cacheTimeToLive is null");
        if (maxConcurrentAuthentications < 1) {
            throw new IllegalArgumentException("maxConcurrentAuthentications must be at least 1");
        }
    }

    /** The providers, by the reference's class names and short names. */
    public enum Provider {
        ALLOW_ALL,
        SHIRO,
        KEYCLOAK;

        static Provider parse(String name) {
            String n = name.trim();
            return switch (n.toLowerCase(Locale.ROOT)) {
                case "",
                        "spark.jobserver.auth.allowallaccesscontrol",
                        "spark.jobserver.auth.allowallauthenticator",
                        "allowall",
                        "allow-all",
                        "none" -> ALLOW_ALL;
                case "spark.jobserver.auth.shiroaccesscontrol", "spark.jobserver.auth.shiroauthenticator", "shiro" ->
                    SHIRO;
                case "spark.jobserver.auth.keycloakaccesscontrol",
                        "spark.jobserver.auth.keycloakauthenticator",
                        "keycloak" -> KEYCLOAK;
                default ->
                    throw new IllegalArgumentException(
                            "access-control.provider: unknown provider '" + name
                                    + "' (use spark.jobserver.auth.AllowAllAccessControl, ShiroAccessControl or KeycloakAccessControl)");
            };
        }
    }

    /**
     * The Keycloak (OpenID Connect) provider's settings.
     *
     * @param issuer the realm's issuer URL; its discovery document names the token endpoint and keys
     *     (ours: {@code keycloak.issuer}; default {@code <authServerUrl>/realms/<realmName>})
     * @param tokenEndpoint ours: overrides the discovered token endpoint; may be null
     * @param clientSecret may be null; never printed
     * @param audience ours: what an access token's {@code aud} must contain or its {@code azp} be
     *     (default the client)
     */
    public record Keycloak(URI issuer, URI tokenEndpoint, String client, String clientSecret, String audience) {
        public Keycloak {
            requireNonNull(issuer, "issuer is null");
            requireNonNull(client, "client is null");
            requireNonNull(audience, "audience is null");
        }

        @Override
        public String toString() {
            return "Keycloak[issuer=" + display(issuer) + ", tokenEndpoint=" + display(tokenEndpoint) + ", client="
                    + client + ", clientSecret=" + (clientSecret == null ? "none" : "****") + ", audience=" + audience
                    + "]";
        }
    }

    /** The allow-all default. */
    public static AuthSettings allowAll() {
        return new AuthSettings(
                Provider.ALLOW_ALL,
                DEFAULT_AUTH_TIMEOUT,
                DEFAULT_MAX_CONCURRENT_AUTHENTICATIONS,
                false,
                DEFAULT_CACHE_TIME_TO_LIVE,
                DEFAULT_CACHE_MAX_ENTRIES,
                false,
                null,
                null,
                true,
                true);
    }

    /**
     * Binds the {@code access-control} section of the server's configuration.
     *
     * @throws IllegalArgumentException naming every problem at once, never a secret's value
     */
    public static AuthSettings from(Config root) {
        if (!root.hasPath("access-control")) {
            return allowAll();
        }
        Config c = root.getConfig("access-control");
        ConfigProblems problems = new ConfigProblems(root);
        Provider provider = problems.bind(
                "access-control.provider",
                () -> Provider.parse(c.hasPath("provider") ? c.getString("provider") : ""),
                Provider.ALLOW_ALL);
        Duration timeout = problems.bind(
                "access-control.auth-timeout",
                () -> positive(
                        "access-control.auth-timeout",
                        c.hasPath("auth-timeout") ? c.getDuration("auth-timeout") : DEFAULT_AUTH_TIMEOUT),
                DEFAULT_AUTH_TIMEOUT);
        int maxConcurrent = problems.bind(
                "access-control.max-concurrent-authentications",
                () -> {
                    int n = c.hasPath("max-concurrent-authentications")
                            ? c.getInt("max-concurrent-authentications")
                            : DEFAULT_MAX_CONCURRENT_AUTHENTICATIONS;
                    if (n < 1) {
                        throw new IllegalArgumentException(
                                "access-control.max-concurrent-authentications: must be at least 1, not " + n);
                    }
                    return n;
                },
                DEFAULT_MAX_CONCURRENT_AUTHENTICATIONS);
        boolean useCache = problems.bind(
                "access-control.use-cache", () -> c.hasPath("use-cache") && c.getBoolean("use-cache"), false);
        String lfu = "akka.http.caching.lfu-cache.";
        Duration ttl = problems.bind(
                "access-control." + lfu + "time-to-live",
                () -> c.hasPath(lfu + "time-to-live")
                        ? c.getDuration(lfu + "time-to-live")
                        : root.hasPath(lfu + "time-to-live")
                                ? root.getDuration(lfu + "time-to-live")
                                : DEFAULT_CACHE_TIME_TO_LIVE,
                DEFAULT_CACHE_TIME_TO_LIVE);
        int maxEntries = problems.bind(
                "access-control." + lfu + "max-capacity",
                () -> c.hasPath(lfu + "max-capacity")
                        ? c.getInt(lfu + "max-capacity")
                        : root.hasPath(lfu + "max-capacity")
                                ? root.getInt(lfu + "max-capacity")
                                : DEFAULT_CACHE_MAX_ENTRIES,
                DEFAULT_CACHE_MAX_ENTRIES);
        boolean proxyUser = problems.bind(
                "access-control.shiro.use-as-proxy-user",
                () -> c.hasPath("shiro.use-as-proxy-user") && c.getBoolean("shiro.use-as-proxy-user"),
                false);
        boolean publicMetrics = problems.bind(
                "access-control.public-metrics",
                () -> !c.hasPath("public-metrics") || c.getBoolean("public-metrics"),
                true);
        boolean publicApiDocs = problems.bind(
                "access-control.public-api-docs",
                () -> !c.hasPath("public-api-docs") || c.getBoolean("public-api-docs"),
                true);
        Path shiroIni = null;
        Keycloak keycloak = null;
        if (provider == Provider.SHIRO) {
            shiroIni = problems.bind(
                    "access-control.shiro.config.path",
                    () -> {
                        Path p = Path.of(c.getString("shiro.config.path")).toAbsolutePath();
                        if (!Files.isReadable(p)) {
                            throw new IllegalArgumentException("access-control.shiro.config.path: cannot read " + p);
                        }
                        return p;
                    },
                    null);
        } else if (provider == Provider.KEYCLOAK) {
            keycloak = keycloak(c, problems);
        }
        problems.throwIfAny("Invalid access-control configuration");
        return new AuthSettings(
                provider,
                timeout,
                maxConcurrent,
                useCache,
                ttl,
                maxEntries,
                proxyUser,
                shiroIni,
                keycloak,
                publicMetrics,
                publicApiDocs);
    }

    private static Keycloak keycloak(Config c, ConfigProblems problems) {
        if (!c.hasPath("keycloak")) {
            problems.add(
                    "access-control.keycloak", "access-control.keycloak: the Keycloak provider needs this section");
            return null;
        }
        Config k = problems.bind("access-control.keycloak", () -> c.getConfig("keycloak"), null);
        if (k == null) {
            return null;
        }
        String p = "access-control.keycloak.";
        String client = problems.bind(p + "client", () -> required(k, p, "client"), null);
        String secret = problems.bind(p + "clientSecret", () -> optional(k, "clientSecret"), null);
        String audience = problems.bind(p + "audience", () -> optional(k, "audience"), null);
        URI issuer = problems.bind(
                p + "issuer",
                () -> {
                    String explicit = optional(k, "issuer");
                    String url = explicit != null
                            ? stripSlash(explicit.trim())
                            : stripSlash(required(k, p, "authServerUrl").trim()) + "/realms/"
                                    + required(k, p, "realmName").trim();
                    return httpUrl(explicit != null ? p + "issuer" : p + "authServerUrl", url);
                },
                null);
        URI token = problems.bind(
                p + "tokenEndpoint",
                () -> {
                    String url = optional(k, "tokenEndpoint");
                    return url == null ? null : httpUrl(p + "tokenEndpoint", url.trim());
                },
                null);
        if (client == null || issuer == null) {
            return null;
        }
        return new Keycloak(issuer, token, client, secret, audience != null ? audience : client);
    }

    private static Duration positive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": must be positive, not " + d);
        }
        return d;
    }

    private static String required(Config k, String prefix, String key) {
        String value = optional(k, key);
        if (value == null) {
            throw new IllegalArgumentException(prefix + key + " is required");
        }
        return value;
    }

    /** The value, or null when the key is missing or blank. */
    private static String optional(Config k, String key) {
        return k.hasPath(key) && !k.getString(key).isBlank() ? k.getString(key) : null;
    }

    /** An http(s) URL; a problem names the key and shows the URL without its user information. */
    private static URI httpUrl(String key, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // the reason and position, not the text: it may carry credentials
            throw new IllegalArgumentException(
                    key + ": not a URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new IllegalArgumentException(key + ": not an http(s) URL: " + display(uri));
        }
        return uri;
    }

    /** A URL as printed: any user information (a password, say) masked. */
    static String display(URI uri) {
        if (uri == null || uri.getRawUserInfo() == null) {
            return String.valueOf(uri);
        }
        try {
            return new URI(uri.getScheme(), "****", uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return uri.getScheme() + "://****@" + uri.getHost();
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
