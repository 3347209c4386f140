package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import java.util.Optional;
import spark.jobserver.protocol.DriverAuth;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.http.ApiException;

/**
 * Authenticates the plain HTTP requests of drivers (binary and data fetches, result uploads): the
 * header {@link DriverLaunch#AUTH_HEADER} carries {@code <contextId>:<HMAC(secret, raw request path)>}.
 * The path is taken as sent (still URL-encoded), so the MAC covers exactly what the driver signed.
 */
public final class DriverRequests {
    private final DriverRegistry registry;

    public DriverRequests(DriverRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /**
     * @return the id of the context whose driver sent the request
     * @throws ApiException 403 unless the request proves it comes from a live context's driver
     */
    public String authenticate(Context ctx, String what) {
        String header = ctx.header(DriverLaunch.AUTH_HEADER);
        int colon = header == null ? -1 : header.indexOf(':');
        String contextId = colon < 0 ? null : header.substring(0, colon);
        Optional<String> secret = contextId == null ? Optional.empty() : registry.secretFor(contextId);
        if (secret.isEmpty() || !DriverAuth.verify(secret.get(), ctx.path(), header.substring(colon + 1))) {
            throw ApiException.error(403, "Only the server's drivers may " + what);
        }
        return contextId;
    }
}
