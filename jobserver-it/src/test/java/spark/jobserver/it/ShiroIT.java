package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import spark.jobserver.it.TestingJobServer.Reply;

/**
 * Shiro with users and roles in an ini file, on plain HTTP: 401/403 as JSON, every permission against
 * every route, parents granting children, ALLOW_ALL for users without matching roles, and
 * {@code use-as-proxy-user} with a real context and job.
 */
class ShiroIT {
    /** One route per permission that answers without a driver; anything but 401/403 means "let through". */
    record Route(String permission, String method, String path, String body, String contentType) {}

    static final List<Route> ROUTES = List.of(
            new Route("binaries:read", "GET", "/binaries", null, null),
            new Route("binaries:upload", "POST", "/binaries/notajar", "x", "text/plain"),
            new Route("binaries:delete", "DELETE", "/binaries/none", null, null),
            new Route("contexts:read", "GET", "/contexts", null, null),
            new Route("contexts:read", "GET", "/contexts/none/objects", null, null),
            new Route("contexts:read", "GET", "/contexts/none/logs", null, null),
            new Route("contexts:start", "POST", "/contexts/1bad", "", "text/plain"),
            new Route("contexts:delete", "DELETE", "/contexts/none", null, null),
            new Route("contexts:reset", "PUT", "/contexts?reset=bogus", "", "text/plain"),
            new Route("jobs:read", "GET", "/jobs", null, null),
            new Route("jobs:read", "GET", "/events?lastEventId=bad", null, null),
            new Route("jobs:read", "GET", "/jobs/none/logs", null, null),
            new Route("jobs:start", "POST", "/jobs", "", "text/plain"),
            new Route("jobs:delete", "DELETE", "/jobs/none", null, null),
            new Route("data:read", "GET", "/data", null, null),
            new Route("data:upload", "POST", "/data/upload.txt", "hello", "text/plain"),
            new Route("data:delete", "DELETE", "/data/none", null, null),
            new Route("data:reset", "PUT", "/data?reset=bogus", "", "text/plain"));

    static TestingJobServer server;
    static SecureClient http;
    static Path ini;

    @BeforeAll
    static void start() throws IOException {
        ini = Files.createTempFile("shiro", ".ini");
        StringBuilder users = new StringBuilder("[users]\n")
                .append("admin = adminpw, admin\n")
                .append("reader = readerpw, reader\n")
                .append("binman = binpw, binariesrole\n")
                .append("nobody = nobodypw, norole\n")
                .append("alice = alicepw, jobsandcontexts\n")
                .append("bob = bobpw, jobsandcontexts\n");
        // one user per permission, holding a role named exactly like it
        for (Route r : ROUTES) {
            users.append(userFor(r.permission()))
                    .append(" = pw, ")
                    .append(r.permission())
                    .append('\n');
        }
        Files.writeString(
                ini,
                users + "\n[roles]\n"
                        + "admin = *\n"
                        + "reader = binaries:read, contexts:read, jobs:read, data:read\n"
                        + "binariesrole = binaries\n"
                        + "jobsandcontexts = jobs, contexts, binaries:read\n");
        server = TestingJobServer.start("access-control {\n"
                + "  provider = spark.jobserver.auth.ShiroAccessControl\n"
                + "  shiro.config.path = \"" + ini + "\"\n"
                + "  shiro.use-as-proxy-user = on\n"
                + "}\n");
        http = SecureClient.to(server.baseUrl(), null);
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        Files.deleteIfExists(ini);
    }

    static String userFor(String permission) {
        return "only-" + permission.replace(':', '-');
    }

    @Test
    void withoutCredentialsTheAnswerIs401WithTheChallengeAsJson() {
        Reply reply = http.get("/binaries");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("WWW-Authenticate")).contains("Basic realm=\"Sparkjobserver Private\"");
        assertThat(reply.header("Content-Type").orElse("")).startsWith("application/json");
        assertThat(reply.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(reply.json().path("result").asText()).contains("requires authentication");

        Reply wrong = http.as("admin", "wrong").get("/binaries");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("WWW-Authenticate")).contains("Basic realm=\"Sparkjobserver Private\"");
        assertThat(wrong.json().path("result").asText()).isEqualTo("The supplied authentication is invalid");
        assertThat(http.as("ghost", "pw").get("/binaries").status()).isEqualTo(401);
        assertThat(http.send("GET", "/binaries", (String) null, null).status()).isEqualTo(401);
    }

    @Test
    void malformedAuthorizationHeadersAre401() {
        for (String header : List.of(
                "Basic",
                "Basic !!!notbase64",
                "Bearer abc",
                "Basic " + java.util.Base64.getEncoder().encodeToString("no-colon".getBytes()))) {
            Reply reply = http.sendWithHeader("GET", "/jobs", "Authorization", header);
            assertThat(reply.status()).as(header).isEqualTo(401);
        }
    }

    @Test
    void publicPathsNeedNoCredentials() {
        assertThat(http.get("/healthz").status()).isEqualTo(200);
        // metrics, as Prometheus scrapes them, and the original's JSON metrics
        assertThat(http.get("/metrics").status()).isEqualTo(200);
        assertThat(http.get("/metricz").status()).isEqualTo(200);
        // the API's description and its UI (public by default)
        assertThat(http.get("/openapi.json").status()).isEqualTo(200);
        assertThat(http.get("/swagger").status()).isEqualTo(200);
        assertThat(http.get("/swagger/swagger-ui.css").status()).isEqualTo(200);
        // the drivers' routes authenticate drivers themselves: no user challenge there
        Reply driver = http.get("/driver/binaries/0000");
        assertThat(driver.status()).isEqualTo(403);
        assertThat(driver.header("WWW-Authenticate")).isEmpty();
    }

    @Test
    void metricsAndTheApiDescriptionCanBeClosedToAnonymousCallers() throws IOException {
        try (TestingJobServer closed = TestingJobServer.start("access-control {\n"
                + "  provider = spark.jobserver.auth.ShiroAccessControl\n"
                + "  shiro.config.path = \"" + ini + "\"\n"
                + "  public-metrics = off\n"
                + "  public-api-docs = off\n"
                + "}\n")) {
            SecureClient anonymous = SecureClient.to(closed.baseUrl(), null);
            for (String path : List.of("/metrics", "/metricz", "/statusz", "/openapi.json", "/swagger")) {
                assertThat(anonymous.get(path).status()).as(path).isEqualTo(401);
            }
            assertThat(anonymous.get("/healthz").status()).isEqualTo(200);
            // closed, they need a user allowed everything (they belong to no resource of the permission table)
            assertThat(anonymous.as("admin", "adminpw").get("/metrics").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void eachPermissionOpensExactlyItsRoutes() {
        List<String> wrong = new ArrayList<>();
        for (Route granted : ROUTES) {
            SecureClient user = http.as(userFor(granted.permission()), "pw");
            for (Route route : ROUTES) {
                int status = user.send(route.method(), route.path(), route.body(), route.contentType())
                        .status();
                boolean allowed = route.permission().equals(granted.permission());
                if (allowed ? status == 401 || status == 403 : status != 403) {
                    wrong.add(granted.permission() + " → " + route.method() + " " + route.path() + " = " + status);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void aParentPermissionGrantsItsChildrenOnly() {
        SecureClient binman = http.as("binman", "binpw");
        assertThat(binman.get("/binaries").status()).isEqualTo(200);
        assertThat(binman.send("POST", "/binaries/x", "x", "text/plain").status())
                .isEqualTo(415);
        assertThat(binman.delete("/binaries/none").status()).isEqualTo(404);
        Reply denied = binman.get("/jobs");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.json().path("status").asText()).isEqualTo("ERROR");
        assertThat(denied.json().path("result").asText()).contains("not authorized");
        // the method override is checked as the method it becomes
        SecureClient reader = http.as("reader", "readerpw");
        assertThat(reader.get("/binaries").status()).isEqualTo(200);
        assertThat(reader.send("POST", "/binaries/none?_method=DELETE", "", "text/plain")
                        .status())
                .isEqualTo(403);
        assertThat(reader.send("POST", "/data/x", "x", "text/plain").status()).isEqualTo(403);
    }

    @Test
    void usersWithoutAnyMatchingRoleMayDoEverythingAsInTheOriginal() {
        SecureClient nobody = http.as("nobody", "nobodypw");
        assertThat(nobody.get("/binaries").status()).isEqualTo(200);
        assertThat(nobody.delete("/jobs/none").status()).isEqualTo(404);
        SecureClient admin = http.as("admin", "adminpw");
        assertThat(admin.delete("/binaries/none").status()).isEqualTo(404);
    }

    @Test
    void unknownResourcesNeedAllowAll() {
        assertThat(http.as("reader", "readerpw").get("/nothing-here").status()).isEqualTo(403);
        assertThat(http.as("admin", "adminpw").get("/nothing-here").status()).isEqualTo(404);
    }

    @Test
    void theAuthenticatedUserIsTheProxyUserOfItsContexts() throws Exception {
        // each user's event stream shows its own contexts only, by the names it gave them
        EventStreamClient aliceEvents =
                EventStreamClient.open(server.baseUrl(), "", "Authorization", basic("alice:alicepw"));
        EventStreamClient bobEvents = EventStreamClient.open(server.baseUrl(), "", "Authorization", basic("bob:bobpw"));
        SecureClient alice = http.as("alice", "alicepw");
        SecureClient bob = http.as("bob", "bobpw");
        http.as("admin", "adminpw").uploadExamples("shiro-examples");
        // the query parameter is ignored: the authenticated user is the proxy user
        Reply created = alice.post("/contexts/mine?spark.proxy.user=mallory", "");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        try {
            assertThat(alice.get("/contexts").json().toString()).isEqualTo("[\"mine\"]");
            assertThat(bob.get("/contexts").json().toString()).isEqualTo("[]");
            Reply info = alice.get("/contexts/mine");
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.json().path("name").asText()).isEqualTo("mine");
            assertThat(bob.get("/contexts/mine").status()).isEqualTo(404);
            assertThat(bob.post(
                                    "/jobs?appName=shiro-examples&classPath=spark.jobserver.ConfigEchoJob&context=mine",
                                    "paths = []")
                            .status())
                    .isEqualTo(404);

            Reply job = alice.post(
                    "/jobs?appName=shiro-examples&classPath=spark.jobserver.ConfigEchoJob&context=mine&sync=true&timeout=60",
                    "paths = [\"spark.proxy.user\"]");
            assertThat(job.status()).as(job.toString()).isEqualTo(200);
            assertThat(job.json()
                            .path("result")
                            .path("context.spark.proxy.user")
                            .asText())
                    .isEqualTo("alice");
            assertThat(job.json().path("result").path("sparkUser").asText()).isEqualTo("alice");
            String jobId = job.json().path("jobId").asText();
            assertThat(alice.get("/jobs/" + jobId).json().path("context").asText())
                    .isEqualTo("alice~mine");
            java.util.function.Predicate<List<EventStreamClient.Event>> jobEnded = es -> es.stream()
                    .anyMatch(e -> e.data().path("jobId").asText().equals(jobId)
                            && e.data().path("status").asText().equals("FINISHED"));
            assertThat(aliceEvents.await(jobEnded))
                    .filteredOn(e -> e.type().equals("context"))
                    .isNotEmpty()
                    .allMatch(e -> e.data().path("name").asText().equals("mine"));
            // jobs are everyone's to see, as GET /jobs shows them; bob's stream had alice's job but not her context
            assertThat(bobEvents.await(jobEnded)).noneMatch(e -> e.type().equals("context"));
            assertThat(bob.delete("/contexts/mine").status()).isEqualTo(404);
        } finally {
            Reply stopped = alice.delete("/contexts/mine");
            assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        }
        assertThat(alice.get("/contexts").json().toString()).isEqualTo("[]");
        aliceEvents.close();
        bobEvents.close();
    }

    private static String basic(String credentials) {
        return "Basic "
                + java.util.Base64.getEncoder()
                        .encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
