package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A context on a {@code k8s://} master in cluster deploy mode, from the configuration shipped in
 * {@code deploy/kubernetes}: the real server runs the real spark-submit (Spark's own Kubernetes client),
 * which talks to a {@link FakeKubernetesApi} on loopback. No pod runs (there is no cluster here), so this
 * checks what Kubernetes would be asked to create, that it would accept it, that the server's Role allows
 * each request, and that a forced stop deletes the driver pod.
 */
class KubernetesSubmissionIT {
    private static final Path MANIFESTS =
            Path.of(TestingJobServer.requiredProperty("jobserver.home"), "deploy", "kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Duration SUBMIT = Duration.ofSeconds(90);

    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    @TempDir
    static Path templates;

    private static List<JsonNode> manifests;
    private static Config shipped;
    private static FakeKubernetesApi api;
    private static TestingJobServer server;

    @BeforeAll
    static void start() throws IOException {
        manifests = new ArrayList<>();
        try (var files = Files.list(MANIFESTS)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> it =
                        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    it.forEachRemaining(manifests::add);
                }
            }
        }
        shipped = ConfigFactory.parseString(
                configMap("spark-jobserver-config").path("jobserver.conf").asText());
        JsonNode podTemplates = configMap("spark-jobserver-pod-templates");

        api = FakeKubernetesApi.start();
        // the shipped configuration, with this test's master, and the pod templates as files here; the
        // harness gives the root directory, port and database
        Config config = shipped.withoutPath("spark.jobserver.rootdir")
                .withoutPath("spark.jobserver.sqldao")
                .withoutPath("spark.jobserver.port")
                .withoutPath("spark.jobserver.bind-address")
                .withValue("spark.master", ConfigValueFactory.fromAnyRef(api.masterUrl()));
        for (String role : List.of("driver", "executor")) {
            Path file = templates.resolve(role + ".yaml");
            Files.writeString(file, podTemplates.path(role + ".yaml").asText());
            config = config.withValue(
                    "spark.context-settings.spark.kubernetes." + role + ".podTemplateFile",
                    ConfigValueFactory.fromAnyRef(file.toString()));
        }
        server = TestingJobServer.start(config.root().render(ConfigRenderOptions.concise()));
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (api != null) {
                api.close();
            }
        }
    }

    private static JsonNode manifest(String kind, String name) {
        return manifests.stream()
                .filter(d -> d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + MANIFESTS));
    }

    private static JsonNode configMap(String name) {
        return manifest("ConfigMap", name).path("data");
    }

    @Test
    void aContextIsADriverPodThatKubernetesWouldAcceptAndAForcedStopDeletesIt() throws Exception {
        String name = "Team_A.k8s context"; // Spark derives its resource names and labels from it
        String namespace = shipped.getString("spark.context-settings.spark.kubernetes.namespace");
        String serverUrl = shipped.getString("spark.jobserver.driver.server-url");
        long started = System.nanoTime();
        HttpClient client = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> creation = client.sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/contexts/" + encode(name)))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        FakeKubernetesApi.Call podCall =
                api.await(c -> c.verb().equals("create") && c.resource().equals("pods"), SUBMIT);
        System.out.printf("K8S-SUBMIT driver pod created: %.1f s%n", (System.nanoTime() - started) / 1e9);
        String id = server.get("/contexts/" + encode(name)).json().get("id").asText();
        JsonNode pod = podCall.body();
        assertAcceptable(podCall);

        assertThat(podCall.namespace()).isEqualTo(namespace);
        assertThat(pod.path("metadata").path("name").asText()).isEqualTo("jobserver-" + id);
        JsonNode spec = pod.path("spec");
        assertThat(spec.path("serviceAccountName").asText())
                .isEqualTo(shipped.getString(
                        "spark.context-settings.spark.kubernetes.authenticate.driver.serviceAccountName"));
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("Never");
        // from the shipped pod template
        assertThat(pod.path("metadata")
                        .path("labels")
                        .path("app.kubernetes.io/component")
                        .asText())
                .isEqualTo("driver");
        assertThat(pod.path("metadata").path("labels").path("spark-role").asText())
                .isEqualTo("driver");
        assertThat(spec.path("securityContext").path("runAsNonRoot").asBoolean())
                .isTrue();
        assertThat(spec.path("enableServiceLinks").asBoolean(true)).isFalse();

        JsonNode container = spec.path("containers").get(0);
        assertThat(spec.path("containers")).hasSize(1);
        assertThat(container.path("image").asText())
                .isEqualTo(shipped.getString("spark.context-settings.spark.kubernetes.container.image"));
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        // Spark's image entrypoint runs spark-submit in the pod: it fetches the driver jar from the server
        String jar = Path.of(TestingJobServer.requiredProperty("jobserver.driver.jar"))
                .getFileName()
                .toString();
        assertThat(args)
                .containsExactly(
                        "driver",
                        "--properties-file",
                        "/opt/spark/conf/spark.properties",
                        "--class",
                        "spark.jobserver.driver.DriverMain",
                        serverUrl + "/driver/runtime/" + jar,
                        serverUrl,
                        id);
        assertThat(container
                        .path("securityContext")
                        .path("allowPrivilegeEscalation")
                        .asBoolean(true))
                .isFalse();
        // the driver's key is in the pod's environment (spark.kubernetes.driverEnv): see docs/clusters.md (Kubernetes)
        assertThat(container.path("env").findValuesAsText("name")).contains("SPARK_JOBSERVER_CONTEXT_SECRET");

        JsonNode properties = api.await(
                        c -> c.resource().equals("configmaps")
                                && c.body() != null
                                && c.body().path("data").has("spark.properties"),
                        SUBMIT)
                .body();
        assertThat(properties.path("data").path("spark.properties").asText())
                .contains("spark.kubernetes.driver.pod.name=jobserver-" + id);
        api.await(c -> c.resource().equals("services"), SUBMIT);
        api.await(c -> c.resource().equals("networkpolicies"), SUBMIT);
        // spark-submit returns once the pod exists (waitAppCompletion=false), naming the pod as the server does
        String submitted = awaitInFile(
                server.root().resolve("contexts").resolve(id).resolve("driver.log"),
                "Deployed Spark application",
                SUBMIT);
        assertThat(submitted).contains("submission ID " + namespace + ":jobserver-" + id);
        for (FakeKubernetesApi.Call call : api.calls()) {
            assertAcceptable(call);
        }
        assertAllowedByTheServersRole(api.calls());

        // a forced stop deletes the driver pod (spark-submit --kill <namespace>:<pod>)
        assertThat(server.delete("/contexts/" + encode(name) + "?force=true").status())
                .isEqualTo(200);
        FakeKubernetesApi.Call kill = api.await(c -> c.verb().equals("delete"), SUBMIT);
        assertThat(kill.resource()).isEqualTo("pods");
        assertThat(kill.namespace()).isEqualTo(namespace);
        assertThat(kill.name()).isEqualTo("jobserver-" + id);
        assertAllowedByTheServersRole(List.of(kill));
        // nothing watched or read: the submission only created
        assertThat(api.calls())
                .allMatch(
                        c -> c == kill || c.verb().equals("create") || c.verb().equals("patch"));

        HttpResponse<String> created = creation.get(60, TimeUnit.SECONDS);
        assertThat(created.statusCode()).as(created.body()).isNotEqualTo(200);
        assertThat(server.get("/contexts/" + encode(name)).json().get("state").asText())
                .isIn("FINISHED", "ERROR", "KILLED");
    }

    /** What the API server would refuse in an object Spark sends: names, labels, ports, environment names. */
    private static void assertAcceptable(FakeKubernetesApi.Call call) {
        if (call.body() == null) {
            return;
        }
        JsonNode object = call.body();
        String what = call.toString();
        String objectName = object.path("metadata").path("name").asText();
        assertThat(objectName).as("name in %s", what).matches(DNS_SUBDOMAIN).hasSizeLessThanOrEqualTo(253);
        if (call.resource().equals("services")) {
            assertThat(objectName).as(what).matches(DNS_1035_LABEL).hasSizeLessThanOrEqualTo(63);
        }
        object.path("metadata")
                .path("labels")
                .fields()
                .forEachRemaining(label -> assertThat(label.getValue().asText())
                        .as("label %s in %s", label.getKey(), what)
                        .matches(LABEL_VALUE)
                        .hasSizeLessThanOrEqualTo(63));
        for (JsonNode port : object.findValues("containerPort")) {
            assertThat(port.asInt()).as("containerPort in %s", what).isBetween(1, 65535);
        }
        if (call.resource().equals("services")) {
            for (JsonNode port : object.path("spec").path("ports")) {
                assertThat(port.path("port").asInt())
                        .as("Service port in %s", what)
                        .isBetween(1, 65535);
            }
        }
        for (JsonNode env : object.findValues("env")) {
            env.forEach(e -> assertThat(e.path("name").asText()).as(what).matches(ENV_NAME));
        }
    }

    /** Each call is allowed by the Role the shipped RoleBinding gives the server's service account. */
    private static void assertAllowedByTheServersRole(List<FakeKubernetesApi.Call> calls) {
        String account = manifest("Deployment", "spark-jobserver")
                .path("spec")
                .path("template")
                .path("spec")
                .path("serviceAccountName")
                .asText();
        JsonNode role = null;
        for (JsonNode binding : manifests) {
            if (binding.path("kind").asText().equals("RoleBinding")
                    && binding.path("subjects").findValuesAsText("name").contains(account)) {
                role = manifest("Role", binding.path("roleRef").path("name").asText());
            }
        }
        assertThat(role).as("the Role of service account %s", account).isNotNull();
        for (FakeKubernetesApi.Call call : calls) {
            Set<String> needed = new HashSet<>(Set.of(call.verb()));
            if (call.verb().equals("patch")) {
                needed.add("create"); // a server-side apply that creates the object needs both
            }
            assertThat(verbs(role, call.apiGroup(), call.resource()))
                    .as(call.toString())
                    .containsAll(needed);
        }
    }

    private static Set<String> verbs(JsonNode role, String apiGroup, String resource) {
        Set<String> verbs = new HashSet<>();
        for (JsonNode rule : role.path("rules")) {
            List<String> groups = new ArrayList<>();
            rule.path("apiGroups").forEach(g -> groups.add(g.asText()));
            List<String> resources = new ArrayList<>();
            rule.path("resources").forEach(r -> resources.add(r.asText()));
            if (groups.contains(apiGroup) && resources.contains(resource)) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        return verbs;
    }

    /** The first line of {@code file} that contains {@code text}, polling until {@code timeout}. */
    private static String awaitInFile(Path file, String text, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' in " + file + " within " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
