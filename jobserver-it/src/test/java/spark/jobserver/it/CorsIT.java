package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * CORS as a browser meets it: by default (akka-http-cors's defaults in the original) any origin is echoed
 * back with credentials, on successes and errors alike; preflights are answered before authentication;
 * with an allow-list, other origins are refused; with an empty list, CORS is off.
 */
class CorsIT {
    private static final String ORIGIN = "https://ui.example.org:8443";
    private static final String[] CORS_HEADERS = {
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age"
    };

    static Path ini;
    static TestingJobServer secured;
    static TestingJobServer listed;
    static TestingJobServer off;

    @BeforeAll
    static void start() throws IOException {
        ini = Files.createTempFile("shiro", ".ini");
        Files.writeString(ini, "[users]\nadmin = adminpw, admin\n\n[roles]\nadmin = *\n");
        secured = TestingJobServer.start("access-control {\n"
                + "  provider = spark.jobserver.auth.ShiroAccessControl\n"
                + "  shiro.config.path = \"" + ini + "\"\n"
                + "}\n");
        listed = TestingJobServer.start("spark.jobserver.cors.allowed-origins = [\"" + ORIGIN + "\"]");
        off = TestingJobServer.start("spark.jobserver.cors.allowed-origins = []");
    }

    @AfterAll
    static void stop() throws IOException {
        for (TestingJobServer server : new TestingJobServer[] {secured, listed, off}) {
            if (server != null) {
                server.close();
            }
        }
        Files.deleteIfExists(ini);
    }

    private static String admin() {
        return "Basic " + Base64.getEncoder().encodeToString("admin:adminpw".getBytes(StandardCharsets.UTF_8));
    }

    private static void assertCors(Reply reply, String origin) {
        assertThat(reply.header("Access-Control-Allow-Origin"))
                .as(reply.toString())
                .contains(origin);
        assertThat(reply.header("Access-Control-Allow-Credentials")).contains("true");
        assertThat(reply.header("Vary")).contains("Origin");
    }

    private static void assertNoCors(Reply reply) {
        for (String header : CORS_HEADERS) {
            assertThat(reply.header(header)).as(header + " on " + reply).isEmpty();
        }
    }

    private static void assertEnvelope(Reply reply, int status, String message) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.header("Content-Type").orElse("")).startsWith("application/json");
        assertThat(reply.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(reply.json().path("result").asText()).contains(message);
    }

    @Test
    void anyOriginIsEchoedWithCredentialsByDefault() {
        Reply reply = secured.send("GET", "/binaries", "", "Origin", ORIGIN, "Authorization", admin());
        assertThat(reply.status()).isEqualTo(200);
        assertCors(reply, ORIGIN);
        Reply other = secured.send("GET", "/healthz", "", "Origin", "http://localhost:3000");
        assertThat(other.status()).isEqualTo(200);
        assertCors(other, "http://localhost:3000");
        // only preflights list methods, headers and max-age; answers expose what a page needs to read
        assertThat(reply.header("Access-Control-Allow-Methods")).isEmpty();
        assertThat(reply.header("Access-Control-Max-Age")).isEmpty();
        assertThat(reply.header("Access-Control-Expose-Headers"))
                .contains("Retry-After, Idempotent-Replayed, Location, Content-Range, Accept-Ranges");
    }

    @Test
    void errorRepliesCarryTheHeadersSoThePageCanReadThem() {
        Reply unauthenticated = secured.send("GET", "/binaries", "", "Origin", ORIGIN);
        assertEnvelope(unauthenticated, 401, "requires authentication");
        assertCors(unauthenticated, ORIGIN);

        Reply missing = secured.send("GET", "/jobs/no-such-job", "", "Origin", ORIGIN, "Authorization", admin());
        assertThat(missing.status()).isEqualTo(404);
        assertCors(missing, ORIGIN);

        Reply notFound = secured.send("GET", "/no/such/route", "", "Origin", ORIGIN, "Authorization", admin());
        assertEnvelope(notFound, 404, "could not be found");
        assertCors(notFound, ORIGIN);

        Reply badInput = secured.send(
                "POST", "/jobs?appName=none&classPath=x", "a = [", "Origin", ORIGIN, "Authorization", admin());
        assertThat(badInput.status()).as(badInput.toString()).isEqualTo(400);
        assertCors(badInput, ORIGIN);

        // refused by the servlet filters after CORS: a target that does not decode, an unknown _method
        // (Jetty itself refuses most malformed targets before any filter, as akka-http's parser did before the
        // cors directive: those replies have no CORS headers)
        Reply badTarget = RawHttp.send(port(secured), "GET", "/binaries/a;b%ZZ", null, "Origin", ORIGIN);
        assertEnvelope(badTarget, 400, "is not a percent-encoded byte");
        assertCors(badTarget, ORIGIN);
        Reply badMethod = secured.send("GET", "/jobs?_method=FROB", "", "Origin", ORIGIN);
        assertEnvelope(badMethod, 501, "Unsupported HTTP method");
        assertCors(badMethod, ORIGIN);
    }

    @Test
    void aPreflightIsAnsweredWithoutCredentials() {
        Reply preflight = secured.send(
                "OPTIONS",
                "/jobs?appName=a&classPath=b",
                "",
                "Origin",
                ORIGIN,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "authorization, content-type, x-custom");
        assertThat(preflight.status()).as(preflight.toString()).isEqualTo(200);
        assertThat(preflight.body()).isEmpty();
        assertCors(preflight, ORIGIN);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("GET, POST, PUT, DELETE, HEAD, OPTIONS");
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("authorization, content-type, x-custom");
        assertThat(preflight.header("Access-Control-Max-Age")).contains("1800");
        assertThat(preflight.header("WWW-Authenticate")).isEmpty();

        // no headers asked for, none listed; any path, known or not, as the original's directive wrapped them all
        Reply bare = secured.send(
                "OPTIONS", "/no/such/route", "", "Origin", ORIGIN, "Access-Control-Request-Method", "DELETE");
        assertThat(bare.status()).isEqualTo(200);
        assertThat(bare.header("Access-Control-Allow-Headers")).isEmpty();

        // the method on the wire decides, not _method
        Reply overridden = secured.send(
                "OPTIONS", "/jobs?_method=DELETE", "", "Origin", ORIGIN, "Access-Control-Request-Method", "GET");
        assertThat(overridden.status()).isEqualTo(200);
        assertThat(overridden.header("Access-Control-Max-Age")).contains("1800");
    }

    @Test
    void aPreflightForAnotherMethodIsRefused() {
        Reply patch = secured.send("OPTIONS", "/jobs", "", "Origin", ORIGIN, "Access-Control-Request-Method", "PATCH");
        assertEnvelope(patch, 403, "CORS: invalid method 'PATCH'");
        assertNoCors(patch);
    }

    @Test
    void optionsThatIsNoPreflightGoesToTheRoutes() {
        // without Access-Control-Request-Method an OPTIONS is an ordinary request: authenticated, then routed
        Reply unauthenticated = secured.send("OPTIONS", "/jobs", "", "Origin", ORIGIN);
        assertEnvelope(unauthenticated, 401, "requires authentication");
        assertCors(unauthenticated, ORIGIN);
        Reply routed = secured.send("OPTIONS", "/jobs", "", "Origin", ORIGIN, "Authorization", admin());
        assertThat(routed.status()).as(routed.toString()).isEqualTo(405);
        assertCors(routed, ORIGIN);
        // and so is a GET made an OPTIONS by _method
        Reply overridden = secured.send("GET", "/jobs?_method=OPTIONS", "", "Origin", ORIGIN, "Authorization", admin());
        assertThat(overridden.status()).as(overridden.toString()).isEqualTo(405);
        assertCors(overridden, ORIGIN);
        assertThat(overridden.header("Access-Control-Allow-Methods")).isEmpty();
    }

    @Test
    void requestsWithoutOriginAreUntouched() {
        Reply plain = secured.send("GET", "/binaries", "", "Authorization", admin());
        assertThat(plain.status()).isEqualTo(200);
        assertNoCors(plain);
        assertThat(plain.header("Vary")).isEmpty();
        Reply options = secured.send("OPTIONS", "/jobs", "", "Access-Control-Request-Method", "POST");
        assertEnvelope(options, 401, "requires authentication");
        assertNoCors(options);
    }

    @Test
    void anOriginOutsideTheListIsRefused() {
        Reply allowed = listed.send("GET", "/binaries", "", "Origin", ORIGIN);
        assertThat(allowed.status()).isEqualTo(200);
        assertCors(allowed, ORIGIN);
        // origins compare without regard to case; the one sent is echoed
        Reply upper = listed.send("GET", "/binaries", "", "Origin", "HTTPS://UI.example.org:8443");
        assertThat(upper.status()).isEqualTo(200);
        assertCors(upper, "HTTPS://UI.example.org:8443");

        Reply other = listed.send("GET", "/binaries", "", "Origin", "https://evil.example.com");
        assertEnvelope(other, 403, "CORS: invalid origin 'https://evil.example.com'");
        assertNoCors(other);
        Reply otherPort = listed.send("GET", "/binaries", "", "Origin", "https://ui.example.org");
        assertEnvelope(otherPort, 403, "CORS: invalid origin");
        Reply preflight = listed.send(
                "OPTIONS",
                "/binaries",
                "",
                "Origin",
                "https://evil.example.com",
                "Access-Control-Request-Method",
                "GET");
        assertEnvelope(preflight, 403, "CORS: invalid origin");
        assertNoCors(preflight);

        Reply noOrigin = listed.get("/binaries");
        assertThat(noOrigin.status()).isEqualTo(200);
        assertNoCors(noOrigin);
    }

    @Test
    void anEmptyListTurnsCorsOff() {
        Reply reply = off.send("GET", "/binaries", "", "Origin", ORIGIN);
        assertThat(reply.status()).isEqualTo(200);
        assertNoCors(reply);
        Reply preflight =
                off.send("OPTIONS", "/binaries", "", "Origin", ORIGIN, "Access-Control-Request-Method", "GET");
        assertThat(preflight.status()).isEqualTo(405);
        assertNoCors(preflight);
    }

    private static int port(TestingJobServer server) {
        return java.net.URI.create(server.baseUrl()).getPort();
    }
}
