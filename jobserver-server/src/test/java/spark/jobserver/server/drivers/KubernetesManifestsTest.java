package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The manifests in {@code deploy/kubernetes}, checked offline: every document is a kind Kubernetes knows
 * with a valid name in one namespace, the Deployment, its Service, probes and volumes fit together, the
 * Roles grant what Spark's submission and drivers need, and the ConfigMap's {@code jobserver.conf} binds
 * as the server binds it and gives valid driver pods.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Kinds used here and their API versions (a typo or a removed version such as apps/v1beta1 fails). */
    private static final Map<String, String> API_VERSIONS = Map.of(
            "Namespace", "v1",
            "ServiceAccount", "v1",
            "ConfigMap", "v1",
            "Service", "v1",
            "Deployment", "apps/v1",
            "Role", "rbac.authorization.k8s.io/v1",
            "RoleBinding", "rbac.authorization.k8s.io/v1");

    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** Service names: an RFC 1035 label (starts with a letter). */
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private static final List<String> CORE_RESOURCES =
            List.of("pods", "services", "configmaps", "persistentvolumeclaims");
    private static final List<String> MANAGE = List.of("create", "get", "list", "watch", "delete");

    private static List<JsonNode> docs;

    @BeforeAll
    static void load() throws IOException {
        docs = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).as("manifests in %s", DIR.toAbsolutePath()).isNotEmpty();
        for (Path file : files) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                while (it.hasNext()) {
                    JsonNode doc = it.next();
                    assertThat(doc.isObject()).as("a document of %s", file).isTrue();
                    docs.add(doc);
                }
            }
        }
    }

    private static List<JsonNode> all(String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode one(String kind, String name) {
        List<JsonNode> found = all(kind).stream()
                .filter(d -> d.path("metadata").path("name").asText().equals(name))
                .toList();
        assertThat(found).as("%s %s", kind, name).hasSize(1);
        return found.get(0);
    }

    private static JsonNode only(String kind) {
        assertThat(all(kind)).as("one %s", kind).hasSize(1);
        return all(kind).get(0);
    }

    private static String namespace() {
        return only("Namespace").path("metadata").path("name").asText();
    }

    private static JsonNode deployment() {
        return only("Deployment");
    }

    private static JsonNode podSpec() {
        return deployment().path("spec").path("template").path("spec");
    }

    private static JsonNode container() {
        assertThat(podSpec().path("containers")).hasSize(1);
        return podSpec().path("containers").get(0);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** The file a path in the server's container names: the ConfigMap key behind the volume mounted there. */
    private static String mountedConfigMapFile(String path) {
        Path file = Path.of(path);
        for (JsonNode mount : container().path("volumeMounts")) {
            if (Path.of(mount.path("mountPath").asText()).equals(file.getParent())) {
                for (JsonNode volume : podSpec().path("volumes")) {
                    if (volume.path("name").asText().equals(mount.path("name").asText())) {
                        String configMap = volume.path("configMap").path("name").asText();
                        JsonNode data = one("ConfigMap", configMap).path("data");
                        assertThat(data.has(file.getFileName().toString()))
                                .as("ConfigMap %s has %s", configMap, file.getFileName())
                                .isTrue();
                        return data.path(file.getFileName().toString()).asText();
                    }
                }
            }
        }
        throw new AssertionError(path + " is not in a ConfigMap mounted in the server's container");
    }

    private ServerConfig serverConfig(Path tmp) throws IOException {
        String conf = mountedConfigMapFile(configFile());
        Path file = tmp.resolve("jobserver.conf");
        Files.writeString(file, conf);
        return ServerConfig.from(Configs.load(file));
    }

    /** The file the server's container is given: the image's entrypoint reads JOBSERVER_CONFIG, else {@code -c}. */
    private static String configFile() {
        for (JsonNode env : container().path("env")) {
            if (env.path("name").asText().equals("JOBSERVER_CONFIG")) {
                return env.path("value").asText();
            }
        }
        List<String> command = new ArrayList<>();
        container().path("command").forEach(a -> command.add(a.asText()));
        container().path("args").forEach(a -> command.add(a.asText()));
        int c = command.indexOf("-c");
        assertThat(c)
                .as("JOBSERVER_CONFIG, or -c <file> in %s", command)
                .isGreaterThan(0)
                .isLessThan(command.size() - 1);
        return command.get(c + 1);
    }

    @Test
    void everyDocumentIsAKindKubernetesKnowsWithAValidNameInTheOneNamespace() {
        assertThat(docs.stream().map(d -> d.path("kind").asText()))
                .containsOnly(API_VERSIONS.keySet().toArray(String[]::new))
                .contains("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "Deployment", "Service");
        Set<String> seen = new HashSet<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            String name = doc.path("metadata").path("name").asText();
            assertThat(doc.path("apiVersion").asText()).as("%s %s", kind, name).isEqualTo(API_VERSIONS.get(kind));
            assertThat(name).as("name of a %s", kind).matches(DNS_SUBDOMAIN).hasSizeLessThanOrEqualTo(253);
            if (kind.equals("Service")) {
                assertThat(name).matches(DNS_1035_LABEL).hasSizeLessThanOrEqualTo(63);
            }
            if (kind.equals("Namespace")) {
                assertThat(name).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
                assertThat(doc.path("metadata").has("namespace")).isFalse();
            } else {
                assertThat(doc.path("metadata").path("namespace").asText())
                        .as("namespace of %s %s", kind, name)
                        .isEqualTo(namespace());
            }
            assertThat(seen.add(kind + "/" + name))
                    .as("%s %s defined twice", kind, name)
                    .isTrue();
        }
    }

    @Test
    void oneServerPodWhichTheDeploymentAndTheServiceSelectListensOn8090AndAnswersHealthz() {
        JsonNode spec = deployment().path("spec");
        assertThat(spec.path("replicas").asInt()).isEqualTo(1);
        // the server runs alone against its database: never two pods during a rollout
        assertThat(spec.path("strategy").path("type").asText()).isEqualTo("Recreate");
        Map<String, String> podLabels =
                strings(spec.path("template").path("metadata").path("labels"));
        Map<String, String> selector = strings(spec.path("selector").path("matchLabels"));
        assertThat(selector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(selector);

        JsonNode service = only("Service");
        assertThat(service.path("spec").path("type").asText()).isEqualTo("ClusterIP");
        Map<String, String> serviceSelector = strings(service.path("spec").path("selector"));
        assertThat(serviceSelector).isNotEmpty();
        assertThat(podLabels).containsAllEntriesOf(serviceSelector);

        JsonNode port = container().path("ports").get(0);
        assertThat(container().path("ports")).hasSize(1);
        assertThat(port.path("containerPort").asInt()).isEqualTo(8090);
        JsonNode servicePort = service.path("spec").path("ports").get(0);
        assertThat(servicePort.path("port").asInt()).isEqualTo(8090);
        // a port number or the container port's name
        assertThat(servicePort.path("targetPort").asText())
                .isIn(port.path("containerPort").asText(), port.path("name").asText());

        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = container().path(probe).path("httpGet");
            assertThat(get.path("path").asText()).as(probe).isEqualTo("/healthz");
            assertThat(get.path("port").asText())
                    .as(probe)
                    .isIn("8090", port.path("name").asText());
        }
        JsonNode resources = container().path("resources");
        assertThat(resources.path("requests").path("memory").asText()).isNotEmpty();
        assertThat(resources.path("requests").path("cpu").asText()).isNotEmpty();
        assertThat(resources.path("limits").path("memory").asText()).isNotEmpty();
    }

    @Test
    void theServerRunsAsItsServiceAccountWhoseRoleGrantsWhatSparkSubmitAndClientModeDriversDo() {
        String account = podSpec().path("serviceAccountName").asText();
        one("ServiceAccount", account);
        assertThat(podSpec().path("automountServiceAccountToken").asBoolean(true))
                .as("spark-submit authenticates with the account's token")
                .isTrue();
        JsonNode role = boundRole(account);
        for (String resource : CORE_RESOURCES) {
            assertThat(verbs(role, "", resource)).as(resource).containsAll(MANAGE);
        }
        // Spark 4.2's submission applies the driver's Service and ConfigMap server-side (create + patch) and
        // a NetworkPolicy for the executors (KubernetesSubmissionIT sees it against a fake API server)
        assertThat(verbs(role, "", "services")).contains("patch");
        assertThat(verbs(role, "", "configmaps")).contains("patch");
        assertThat(verbs(role, "networking.k8s.io", "networkpolicies")).contains("create", "patch");
        assertThat(verbs(role, "", "secrets")).as("the server reads no Secret").isEmpty();
    }

    @Test
    void driverPodsRunAsAnAccountOfTheirOwnThatManagesTheirExecutors(@TempDir Path tmp) throws IOException {
        ServerConfig config = serverConfig(tmp);
        String account = config.contextDefaults().getString("spark.kubernetes.authenticate.driver.serviceAccountName");
        one("ServiceAccount", account);
        assertThat(account).isNotEqualTo(podSpec().path("serviceAccountName").asText());
        JsonNode role = boundRole(account);
        for (String resource : CORE_RESOURCES) {
            assertThat(verbs(role, "", resource)).as(resource).containsAll(MANAGE);
        }
        assertThat(verbs(role, "", "secrets")).isEmpty();
    }

    /** The Role a RoleBinding of the namespace gives to this service account. */
    private static JsonNode boundRole(String account) {
        for (JsonNode binding : all("RoleBinding")) {
            for (JsonNode subject : binding.path("subjects")) {
                if (subject.path("kind").asText().equals("ServiceAccount")
                        && subject.path("name").asText().equals(account)
                        && subject.path("namespace").asText().equals(namespace())) {
                    JsonNode ref = binding.path("roleRef");
                    assertThat(ref.path("apiGroup").asText()).isEqualTo("rbac.authorization.k8s.io");
                    assertThat(ref.path("kind").asText()).isEqualTo("Role");
                    return one("Role", ref.path("name").asText());
                }
            }
        }
        throw new AssertionError("no RoleBinding for service account " + account);
    }

    /** The verbs a Role grants on a resource (of an API group, "" = core). */
    static Set<String> verbs(JsonNode role, String apiGroup, String resource) {
        Set<String> verbs = new HashSet<>();
        for (JsonNode rule : role.path("rules")) {
            List<String> groups = new ArrayList<>();
            rule.path("apiGroups").forEach(g -> groups.add(g.asText()));
            List<String> resources = new ArrayList<>();
            rule.path("resources").forEach(r -> resources.add(r.asText()));
            if ((groups.contains(apiGroup) || groups.contains("*"))
                    && (resources.contains(resource) || resources.contains("*"))) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        return verbs;
    }

    @Test
    void theConfigurationBindsAsTheServerBindsItAndDriversDialTheService(@TempDir Path tmp) throws IOException {
        ServerConfig config = serverConfig(tmp);
        assertThat(config.sparkMaster()).startsWith("k8s://https://kubernetes.default.svc");
        assertThat(config.deployMode()).isEqualTo("cluster");
        assertThat(config.port())
                .isEqualTo(
                        container().path("ports").get(0).path("containerPort").asInt());
        assertThat(config.database().jdbcUrl()).startsWith("jdbc:postgresql://");

        JsonNode service = only("Service");
        String host = service.path("metadata").path("name").asText() + "." + namespace() + ".svc";
        int port = service.path("spec").path("ports").get(0).path("port").asInt();
        assertThat(config.driver().serverUrl())
                .isIn("http://" + host + ":" + port, "http://" + host + ".cluster.local:" + port);
        assertThat(config.contextDefaults().getString("spark.kubernetes.namespace"))
                .isEqualTo(namespace());
        assertThat(config.contextDefaults().getString("spark.kubernetes.container.image"))
                .isNotBlank();

        // the root directory is on the pod's volume, not in the container's own file system
        assertThat(container().path("volumeMounts").findValuesAsText("mountPath").stream()
                        .filter(m -> config.rootDir().startsWith(Path.of(m)))
                        .toList())
                .as("a volume mounted at %s", config.rootDir())
                .isNotEmpty();
    }

    @Test
    void aBrokenKeyInTheConfigurationFailsTheBinding(@TempDir Path tmp) throws IOException {
        String conf = mountedConfigMapFile(configFile());
        Path file = tmp.resolve("broken.conf");
        Files.writeString(file, conf.replace("port = 8090", "port = eighty"));
        assertThatThrownBy(() -> ServerConfig.from(Configs.load(file))).hasMessageContaining("spark.jobserver.port");
    }

    @Test
    void theContextDefaultsGiveADriverPodKubernetesAccepts(@TempDir Path tmp) throws IOException {
        ServerConfig config = serverConfig(tmp);
        SparkSettings.validate(config.contextDefaults(), config.sparkMaster());
        DriverCommand.Command cmd = new DriverCommand(
                        config.driver(),
                        new DriverCommand.Defaults(config.sparkMaster(), config.deployMode(), false),
                        17,
                        false)
                .build(
                        new DriverLauncher.Spec(
                                "id-1",
                                "ctx",
                                config.contextDefaults(),
                                "k3y",
                                config.driver().serverUrl(),
                                List.of()),
                        tmp,
                        List.of(),
                        Map.of(DriverLaunch.SECRET_ENV, "k3y"));
        List<String> args = cmd.arguments();
        assertThat(args).containsSubsequence("--master", config.sparkMaster(), "--deploy-mode", "cluster");
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--conf")) {
                String[] kv = args.get(i + 1).split("=", 2);
                conf.put(kv[0], kv[1]);
            }
        }
        // the UI port becomes the driver container's and its Service's port: 1-65535, never "any" (0)
        assertThat(conf).doesNotContainEntry("spark.ui.port", "0");
        assertThat(conf).containsEntry("spark.kubernetes.namespace", namespace());

        for (String role : List.of("driver", "executor")) {
            String path = conf.get("spark.kubernetes." + role + ".podTemplateFile");
            assertThat(path).as("%s pod template", role).isNotNull();
            JsonNode template = YAML.readTree(mountedConfigMapFile(path));
            assertThat(template.path("apiVersion").asText()).isEqualTo("v1");
            assertThat(template.path("kind").asText()).isEqualTo("Pod");
            assertThat(template.path("spec").path("containers")).hasSize(1);
            // a driver or executor pod must never receive the server's traffic
            Map<String, String> labels = strings(template.path("metadata").path("labels"));
            Map<String, String> serviceSelector =
                    strings(only("Service").path("spec").path("selector"));
            assertThat(labels.entrySet().containsAll(serviceSelector.entrySet()))
                    .as("%s pods would match the Service's selector %s", role, serviceSelector)
                    .isFalse();
        }
    }
}
