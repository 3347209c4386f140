package spark.jobserver.server.auth;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code access-control} section, with the reference's keys: which provider, its settings, the
 * authentication timeout and cache, and whether the user becomes the proxy user of its contexts.
 */
public record AuthSettings(
        Provider provider,
        Duration authTimeout,
        boolean useCache,
        Duration cacheTimeToLive,
        int cacheMaxEntries,
        boolean useAsProxyUser,
        Path shiroConfigPath,
        Keycloak keycloak) {

    public AuthSettings {
        requireNonNull(provider, "provider is null");
        requireNonNull(authTimeout, "authTimeout is null");
        requireNonNull(cacheTimeToLive, "cacheTimeToLive is null");
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
     * @param clientSecret may be null
     */
    public record Keycloak(URI issuer, URI tokenEndpoint, String client, String clientSecret) {
        @Override
        public String toString() {
            return "Keycloak[issuer=" + issuer + ", tokenEndpoint=" + tokenEndpoint + ", client=" + client
                    + ", clientSecret=" + (clientSecret == null ? "none" : "****") + "]";
        }
    }

    /** The allow-all default. */
    public static AuthSettings allowAll() {
        return new AuthSettings(
                Provider.ALLOW_ALL, Duration.ofSeconds(10), false, Duration.ofMinutes(15), 512, false, null, null);
    }

    /**
     * Binds the {@code access-control} section of the server's configuration.
     *
     * @throws IllegalArgumentException naming every problem at once
     */
    public static AuthSettings from(Config root) {
        if (!root.hasPath("access-control")) {
            return allowAll();
        }
        Config c = root.getConfig("access-control");
        List<String> problems = new ArrayList<>();
        Provider provider = get(
                problems,
                () -> Provider.parse(c.hasPath("provider") ? c.getString("provider") : ""),
                Provider.ALLOW_ALL);
        Duration timeout = get(
                problems,
                () -> c.hasPath("auth-timeout") ? c.getDuration("auth-timeout") : Duration.ofSeconds(10),
                Duration.ofSeconds(10));
        boolean useCache = get(problems, () -> c.hasPath("use-cache") && c.getBoolean("use-cache"), false);
        String lfu = "akka.http.caching.lfu-cache.";
        Duration ttl = get(
                problems,
                () -> c.hasPath(lfu + "time-to-live")
                        ? c.getDuration(lfu + "time-to-live")
                        : root.hasPath(lfu + "time-to-live")
                                ? root.getDuration(lfu + "time-to-live")
                                : Duration.ofMinutes(15),
                Duration.ofMinutes(15));
        int maxEntries = get(
                problems,
                () -> c.hasPath(lfu + "max-capacity")
                        ? c.getInt(lfu + "max-capacity")
                        : root.hasPath(lfu + "max-capacity") ? root.getInt(lfu + "max-capacity") : 512,
                512);
        boolean proxyUser = get(
                problems, () -> c.hasPath("shiro.use-as-proxy-user") && c.getBoolean("shiro.use-as-proxy-user"), false);
        Path shiroIni = null;
        Keycloak keycloak = null;
        if (provider == Provider.SHIRO) {
            shiroIni = get(
                    problems,
                    () -> {
                        Path p = Path.of(c.getString("shiro.config.path")).toAbsolutePath();
                        if (!Files.isReadable(p)) {
                            throw new IllegalArgumentException("access-control.shiro.config.path: cannot read " + p);
                        }
                        return p;
                    },
                    null);
        } else if (provider == Provider.KEYCLOAK) {
            keycloak = get(problems, () -> keycloak(c.getConfig("keycloak")), null);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid access-control configuration:\n  - " + String.join("\n  - ", problems));
        }
        return new AuthSettings(provider, timeout, useCache, ttl, maxEntries, proxyUser, shiroIni, keycloak);
    }

    private static Keycloak keycloak(Config k) {
        String client = k.getString("client");
        String secret =
                k.hasPath("clientSecret") && !k.getString("clientSecret").isEmpty()
                        ? k.getString("clientSecret")
                        : null;
        URI issuer;
        if (k.hasPath("issuer") && !k.getString("issuer").isBlank()) {
            issuer = URI.create(stripSlash(k.getString("issuer")));
        } else {
            String server = k.getString("authServerUrl");
            if (server.isBlank()) {
                throw new IllegalArgumentException("access-control.keycloak.authServerUrl is required");
            }
            issuer = URI.create(stripSlash(server) + "/realms/" + k.getString("realmName"));
        }
        URI token = k.hasPath("tokenEndpoint") && !k.getString("tokenEndpoint").isBlank()
                ? URI.create(k.getString("tokenEndpoint"))
                : null;
        for (URI uri : new URI[] {issuer, token}) {
            if (uri != null
                    && (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null)) {
                throw new IllegalArgumentException("access-control.keycloak: not an http(s) URL: " + uri);
            }
        }
        return new Keycloak(issuer, token, client, secret);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private interface Getter<T> {
        T get();
    }

    private static <T> T get(List<String> problems, Getter<T> getter, T fallback) {
        try {
            return getter.get();
        } catch (ConfigException | IllegalArgumentException e) {
            problems.add(e.getMessage());
            return fallback;
        }
    }
}
