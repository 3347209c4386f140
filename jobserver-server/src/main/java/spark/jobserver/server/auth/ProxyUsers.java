package spark.jobserver.server.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code access-control.shiro.use-as-proxy-user}: the authenticated user becomes the
 * {@code spark.proxy.user} of the contexts it starts, whose names are stored as {@code <user>~<name>}
 * ({@code ~} in the user name doubled); users see and address only their own contexts, by the names
 * they gave. Off: names and settings pass through unchanged.
 */
public final class ProxyUsers {
    private static final ProxyUsers OFF = new ProxyUsers(false);
    private final boolean enabled;

    private ProxyUsers(boolean enabled) {
        this.enabled = enabled;
    }

    public static ProxyUsers of(boolean enabled) {
        return enabled ? new ProxyUsers(true) : OFF;
    }

    public static ProxyUsers off() {
        return OFF;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The prefix of the user's contexts, as the original computes it. */
    static String prefix(String user) {
        return user.replace("~", "~~") + "~";
    }

    /** The stored name of the context the request's user calls {@code name}. */
    public String storedName(Context ctx, String name) {
        return enabled ? prefix(AccessGate.user(ctx).name()) + name : name;
    }

    /** The name the request's user knows a stored context by. */
    public String shownName(Context ctx, String stored) {
        String prefix = prefix(AccessGate.user(ctx).name());
        return enabled && stored.startsWith(prefix) ? stored.substring(prefix.length()) : stored;
    }

    /** The stored names the request's user may see, as it knows them. */
    public List<String> visible(Context ctx, List<String> stored) {
        if (!enabled) {
            return stored;
        }
        String prefix = prefix(AccessGate.user(ctx).name());
        return stored.stream()
                .filter(n -> n.startsWith(prefix))
                .map(n -> n.substring(prefix.length()))
                .toList();
    }

    /** Context settings with the request's user as proxy user, whatever the request asked for. */
    public Config withProxyUser(Context ctx, Config settings) {
        return enabled
                ? settings.withValue(
                        "spark.proxy.user",
                        ConfigValueFactory.fromAnyRef(AccessGate.user(ctx).name()))
                : settings;
    }
}
