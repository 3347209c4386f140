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
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
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
 *
 * <p>Checks run on at most {@code maxConcurrent} threads of the gate's own, so a directory or identity
 * provider that hangs holds that many threads and no more: a request that finds them all busy is
 * answered 503 at once, and one whose check outlasts the timeout gets 503 when it runs out. A check that
 * ignores the interrupt sent at its timeout keeps its thread until it returns. Logins the provider
 * remembers (the login cache) are answered on the request's thread, so they keep working meanwhile.
 */
public final class AccessGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessGate.class);
    static final String REALM = "Basic realm=\"Sparkjobserver Private\"";
    private static final String USER = "jobserver.user";

    private final AccessControl access;
    private final Duration timeout;
    private final Predicate<X509Certificate> isDriverCertificate;
    private final Predicate<String> isPublic;
    private final ThreadPoolExecutor checks;

    /**
     * @param timeout how long a request waits for its check
     * @param maxConcurrent how many checks may run at once
     * @param isDriverCertificate whether a TLS client certificate is the one the server gave its drivers
     * @param publicMetrics whether the metrics routes need no login
     * @param publicApiDocs whether the API's description and its UI need no login
     */
    public AccessGate(
            AccessControl access,
            Duration timeout,
            int maxConcurrent,
            Predicate<X509Certificate> isDriverCertificate,
            boolean publicMetrics,
            boolean publicApiDocs) {
        this.access = requireNonNull(access, "access is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.isDriverCertificate = requireNonNull(isDriverCertificate, "isDriverCertificate is null");
        this.isPublic = RoutePermissions.publicPaths(publicMetrics, publicApiDocs);
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, not " + maxConcurrent);
        }
        // No queue: a check either gets a thread now or the request is refused; idle threads end after a minute.
        this.checks = new ThreadPoolExecutor(
                0,
                maxConcurrent,
                60,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                NamedThreads.daemon("jobserver-auth"),
                new ThreadPoolExecutor.AbortPolicy());
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
        if (isPublic.test(path)) {
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
        Optional<AuthUser> known = access.remembered(user, password);
        if (known.isPresent()) {
            return known;
        }
        Future<Optional<AuthUser>> attempt;
        try {
            attempt = checks.submit(() -> access.authenticate(user, password));
        } catch (RejectedExecutionException e) {
            LOG.warn(
                    "Authentication of user [{}] refused: {} checks are already running",
                    user,
                    checks.getMaximumPoolSize());
            throw ApiException.error(503, "Too many authentications in progress; try again later");
        }
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
