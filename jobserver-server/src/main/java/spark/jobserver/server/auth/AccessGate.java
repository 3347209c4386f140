package spark.jobserver.server.auth;

import static java.util.Objects.requireNonNull;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.common.NamedThreads;
import spark.jobserver.server.http.ApiException;

/**
 * Authenticates every request (HTTP Basic) and checks the permission its route needs, before any
 * route runs: 401 with {@code WWW-Authenticate: Basic realm="Sparkjobserver Private"} without valid
 * credentials, 403 without the permission, both as JSON envelopes. Health, UI and metrics paths and the
 * drivers' paths are exempt. With TLS client authentication, the certificate the server gives its own
 * drivers opens the drivers' paths only.
 */
public final class AccessGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessGate.class);
    static final String REALM = "Basic realm=\"Sparkjobserver Private\"";
    private static final String USER = "jobserver.user";

    private final AccessControl access;
    private final Duration timeout;
    private final Predicate<X509Certificate> isDriverCertificate;
    private final ExecutorService checks;

    /**
     * @param isDriverCertificate whether a TLS client certificate is the one the server gave its drivers
     */
    public AccessGate(AccessControl access, Duration timeout, Predicate<X509Certificate> isDriverCertificate) {
        this.access = requireNonNull(access, "access is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.isDriverCertificate = requireNonNull(isDriverCertificate, "isDriverCertificate is null");
        this.checks = Executors.newCachedThreadPool(NamedThreads.daemon("jobserver-auth"));
    }

    public void register(RoutesConfig routes) {
        routes.before(this::check);
    }

    /** The authenticated user of a request (the allow-all provider's {@code anonymous} when none is needed). */
    public static AuthUser user(Context ctx) {
        AuthUser user = ctx.attribute(USER);
        return user != null ? user : AuthUser.ANONYMOUS;
    }

    private void check(Context ctx) {
        String path = ctx.path();
        if (RoutePermissions.isPublic(path)) {
            return;
        }
        if (isDriverClient(ctx)) {
            throw ApiException.error(403, "The drivers' certificate opens the drivers' routes only");
        }
        if (!access.requiresCredentials()) {
            ctx.attribute(USER, AuthUser.ANONYMOUS);
            return;
        }
        String[] credentials = basicCredentials(ctx.header("Authorization"));
        if (credentials == null) {
            throw unauthorized(ctx, "The resource requires authentication, which was not supplied with the request");
        }
        AuthUser user = authenticate(credentials[0], credentials[1])
                .orElseThrow(() -> unauthorized(ctx, "The supplied authentication is invalid"));
        Optional<Permission> needed = RoutePermissions.required(ctx.method().name(), path);
        if (needed.isPresent() && !user.has(needed.get())) {
            LOG.info(
                    "User [{}] lacks permission {} for {} {}",
                    user.name(),
                    needed.get().id(),
                    ctx.method(),
                    path);
            throw ApiException.error(403, "The supplied authentication is not authorized to access this resource");
        }
        ctx.attribute(USER, user);
    }

    private Optional<AuthUser> authenticate(String user, String password) {
        Future<Optional<AuthUser>> attempt = checks.submit(() -> access.authenticate(user, password));
        try {
            return attempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            attempt.cancel(true);
            LOG.warn("Authentication of user [{}] timed out after {} ms", user, timeout.toMillis());
            throw ApiException.error(503, "Authentication timed out; try again later");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            LOG.warn(
                    "Authentication of user [{}] could not be checked: {}",
                    user,
                    cause instanceof AccessControl.AccessControlException ? cause.getMessage() : String.valueOf(cause));
            throw ApiException.error(503, "Authentication is unavailable; try again later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.error(503, "Authentication was interrupted");
        }
    }

    private boolean isDriverClient(Context ctx) {
        Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
        return chain instanceof X509Certificate[] certs && certs.length > 0 && isDriverCertificate.test(certs[0]);
    }

    private static ApiException unauthorized(Context ctx, String message) {
        ctx.header("WWW-Authenticate", REALM);
        return ApiException.error(401, message);
    }

    /** {@code [user, password]} of a Basic Authorization header, or null. */
    static String[] basicCredentials(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded =
                    new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return null;
            }
            return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
        access.close();
    }
}
