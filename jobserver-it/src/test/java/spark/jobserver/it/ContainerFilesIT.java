package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container files, checked offline as no container engine runs here: the Dockerfile by hadolint, the
 * shell scripts by shellcheck, the Kubernetes manifests by yamllint and kubernetes-validate (the schemas of
 * the Kubernetes API, strict), the compose file by check-jsonschema against the compose-spec schema; each
 * tool is also shown to reject a known-bad file, so a tool that checks nothing fails here. Then what no
 * linter sees: that the Dockerfile, the entrypoint, compose and the manifests name the same image, port,
 * user, volume, health path and environment variables. The tools are jobserver-python's lint runtime
 * (installed by the build, pinned in the parent POM; no download here).
 */
class ContainerFilesIT {
    private static final Path HOME = Path.of(TestingJobServer.requiredProperty("jobserver.home"));
    private static final Path DOCKER = HOME.resolve("deploy/docker");
    private static final Path DOCKERFILE = DOCKER.resolve("Dockerfile");
    private static final Path ENTRYPOINT = DOCKER.resolve("entrypoint.sh");
    private static final Path HEALTHCHECK = DOCKER.resolve("healthcheck.sh");
    private static final Path COMPOSE = DOCKER.resolve("compose.yaml");
    private static final Path KUBERNETES = HOME.resolve("deploy/kubernetes");
    private static final Path LINT = Path.of(TestingJobServer.requiredProperty("jobserver.python.lint"));
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern JOBSERVER_VARIABLE = Pattern.compile("\\bJOBSERVER_[A-Z0-9_]+\\b");

    private static List<Instruction> dockerfile;
    private static JsonNode compose;
    private static List<JsonNode> manifests;

    @TempDir
    Path temp;

    /** One Dockerfile instruction: its keyword (upper case) and the rest, continuation lines joined. */
    record Instruction(String keyword, String arguments) {}

    @BeforeAll
    static void read() throws IOException {
        dockerfile = parseDockerfile(Files.readAllLines(DOCKERFILE));
        compose = YAML.readTree(COMPOSE.toFile());
        manifests = new ArrayList<>();
        for (Path file : kubernetesFiles()) {
            try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                it.forEachRemaining(manifests::add);
            }
        }
    }

    // ---- the linters ------------------------------------------------------------------------------------

    @Test
    void hadolintAcceptsTheDockerfile() throws Exception {
        Result ok = run(List.of(tool("hadolint"), "--no-color", DOCKERFILE.toString()));
        assertThat(ok.exitCode()).as(ok.output()).isZero();

        // unpinned base image, apt-get without -y, --no-install-recommends or a pinned version
        Path bad = write("Dockerfile", "FROM ubuntu\nRUN apt-get update && apt-get install curl\n");
        Result rejected = run(List.of(tool("hadolint"), "--no-color", bad.toString()));
        assertThat(rejected.exitCode()).isNotZero();
        assertThat(rejected.output()).contains("DL3006", "DL3014", "DL3015");
    }

    @Test
    void shellcheckAcceptsTheEntrypointHealthCheckAndTheScriptsOfBin() throws Exception {
        // the image's scripts: every rule, style included
        Result own = shellcheck("style", List.of(ENTRYPOINT, HEALTHCHECK));
        assertThat(own.exitCode()).as(own.output()).isZero();

        // bin/ (start, stop, CLI scripts and what they source), at severity warning: style notes there
        // are their owners' call
        List<Path> bin = binScripts();
        assertThat(bin).contains(HOME.resolve("bin/jobserver"));
        Result scripts = shellcheck("warning", bin);
        assertThat(scripts.exitCode())
                .as("shellcheck of %s:%n%s", bin, scripts.output())
                .isZero();

        Path bad = write("bad.sh", "#!/usr/bin/env bash\nunused=1\ncd \"$1\"\n");
        Result rejected = shellcheck("warning", List.of(bad));
        assertThat(rejected.exitCode()).isNotZero();
        assertThat(rejected.output()).contains("SC2034", "SC2164");
    }

    @Test
    void yamllintAcceptsTheManifestsAndTheComposeFile() throws Exception {
        Result ok = python(List.of(
                "-m",
                "yamllint",
                "--strict",
                "-c",
                DOCKER.resolve("yamllint.yaml").toString(),
                KUBERNETES.toString(),
                COMPOSE.toString()));
        assertThat(ok.exitCode()).as(ok.output()).isZero();

        Path bad = write("bad.yaml", "a: 1\na: 2\nb:   [1,2]\n");
        Result rejected = python(List.of(
                "-m",
                "yamllint",
                "--strict",
                "-c",
                DOCKER.resolve("yamllint.yaml").toString(),
                bad.toString()));
        assertThat(rejected.exitCode()).isNotZero();
        assertThat(rejected.output()).contains("key-duplicates");
    }

    @Test
    void kubernetesAcceptsTheManifestsAndThePodTemplatesInThem() throws Exception {
        List<String> files = new ArrayList<>();
        kubernetesFiles().forEach(f -> files.add(f.toString()));
        // the driver and executor pod templates are Pods inside a ConfigMap, named by Spark when it uses them
        JsonNode templates =
                manifest("ConfigMap", "spark-jobserver-pod-templates").path("data");
        for (String key : List.of("driver.yaml", "executor.yaml")) {
            assertThat(templates.has(key)).as(key).isTrue();
            ObjectNode pod = (ObjectNode) YAML.readTree(templates.path(key).asText());
            assertThat(pod.path("metadata").has("name"))
                    .as("%s names no pod", key)
                    .isFalse();
            ((ObjectNode) pod.path("metadata")).put("name", "template");
            files.add(write(key, YAML.writeValueAsString(pod)).toString());
        }
        Result ok = kubernetesValidate(files);
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        // every object was checked against a schema (not skipped as of an unknown kind)
        assertThat(ok.output().lines().filter(l -> l.contains(" passed for resource ")))
                .hasSize(manifests.size() + 2);

        Path bad = write(
                "bad.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                        + "spec: {replica: 1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}},"
                        + " spec: {containers: [{name: c, image: i}]}}}\n");
        Result rejected = kubernetesValidate(List.of(bad.toString()));
        assertThat(rejected.exitCode()).isNotZero();
        assertThat(rejected.output()).contains("replica");
    }

    @Test
    void theComposeFileFollowsTheComposeSpecification() throws Exception {
        Result ok = python(
                List.of("-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", COMPOSE.toString()));
        assertThat(ok.exitCode()).as(ok.output()).isZero();

        Path bad = write(
                "compose.yaml",
                "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_healty\n");
        Result rejected =
                python(List.of("-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", bad.toString()));
        assertThat(rejected.exitCode()).isNotZero();
        assertThat(rejected.output()).contains("service_healty");
    }

    // ---- what the linters cannot see ------------------------------------------------------------------

    @Test
    void composeTheManifestsAndTheDocsNameTheImageTheDockerfileBuildsWithTheProjectsVersion() throws IOException {
        JsonNode server = compose.path("services").path("jobserver");
        String image = server.path("image").asText();
        // built from this Dockerfile with the checkout as the context
        Path context = DOCKER.resolve(server.path("build").path("context").asText());
        assertThat(context.resolve(server.path("build").path("dockerfile").asText())
                        .normalize())
                .isEqualTo(DOCKERFILE.normalize());
        assertThat(context.normalize()).isEqualTo(HOME.normalize());

        String version = Path.of(TestingJobServer.requiredProperty("jobserver.dist.home"))
                .getFileName()
                .toString()
                .replaceFirst("^jobserver-", "")
                .replaceFirst("-SNAPSHOT$", "");
        assertThat(image).isEqualTo("spark-jobserver:" + version);
        assertThat(serverContainer().path("image").asText()).isEqualTo(image);
        String build = "docker build -f deploy/docker/Dockerfile -t " + image + " .";
        assertThat(Files.readString(DOCKERFILE)).contains(build);
        assertThat(Files.readString(HOME.resolve("docs/container.md"))).contains(build);
    }

    @Test
    void everyJobserverVariableThatComposeTheManifestsOrTheImageSetIsOneTheEntrypointReadsAndTheDocsExplain()
            throws IOException {
        Set<String> read = entrypointVariables();
        assertThat(read)
                .contains(
                        "JOBSERVER_HOME",
                        "JOBSERVER_CONFIG",
                        "JOBSERVER_ROOT_DIR",
                        "JOBSERVER_PORT",
                        "JOBSERVER_DB_URL",
                        "JOBSERVER_DB_USER",
                        "JOBSERVER_DB_PASSWORD",
                        "JOBSERVER_HEAP");

        Set<String> composeSet = new TreeSet<>();
        compose.path("services")
                .path("jobserver")
                .path("environment")
                .fieldNames()
                .forEachRemaining(composeSet::add);
        Set<String> kubernetesSet = new TreeSet<>(serverContainer().path("env").findValuesAsText("name"));
        Set<String> imageSet = new TreeSet<>(Arrays.asList(instruction("ENV").split("\\s+")).stream()
                .map(a -> a.replaceFirst("=.*", ""))
                .toList());
        for (Map.Entry<String, Set<String>> set : Map.of(
                        "compose", composeSet, "Kubernetes", kubernetesSet, "Dockerfile ENV", imageSet)
                .entrySet()) {
            assertThat(set.getValue().stream().filter(n -> n.startsWith("JOBSERVER_")))
                    .as("JOBSERVER_ variables set by %s", set.getKey())
                    .isNotEmpty()
                    .allSatisfy(name -> assertThat(read).as(set.getKey()).contains(name));
        }
        // the ConfigMap's own ${?...} substitutions are the entrypoint's names too
        Matcher inConfig = JOBSERVER_VARIABLE.matcher(manifest("ConfigMap", "spark-jobserver-config")
                .path("data")
                .path("jobserver.conf")
                .asText());
        while (inConfig.find()) {
            assertThat(read).contains(inConfig.group());
        }

        String header = Files.readString(ENTRYPOINT).split("\nset -euo pipefail")[0];
        String docs = Files.readString(HOME.resolve("docs/container.md"));
        for (String name : read) {
            assertThat(header).as("the entrypoint's header documents " + name).contains(name);
            assertThat(docs).as("docs/container.md documents " + name).contains("`" + name + "`");
        }
    }

    @Test
    void theImageComposeAndTheDeploymentAgreeOnPortUserVolumeAndConfigFile() {
        Map<String, String> env = imageEnv();
        String port = instruction("EXPOSE");
        assertThat(env).containsEntry("JOBSERVER_PORT", port);
        assertThat(compose.path("services")
                        .path("jobserver")
                        .path("ports")
                        .get(0)
                        .asText())
                .endsWith(":" + port);
        JsonNode container = serverContainer();
        assertThat(container.path("ports").get(0).path("containerPort").asText())
                .isEqualTo(port);
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("port").asText())
                    .as(probe)
                    .isEqualTo(port);
        }

        // the non-root user, by number (Kubernetes checks runAsNonRoot against it)
        String[] user = instruction("USER").split(":");
        JsonNode security =
                deployment().path("spec").path("template").path("spec").path("securityContext");
        assertThat(Integer.parseInt(user[0])).isPositive();
        assertThat(security.path("runAsUser").asText()).isEqualTo(user[0]);
        assertThat(security.path("runAsGroup").asText()).isEqualTo(user[1]);
        assertThat(instructions("RUN"))
                .anySatisfy(run -> assertThat(run).contains("--uid " + user[0]).contains("--gid " + user[1]));

        // the root directory is the image's volume, compose's named volume and the Deployment's volume
        String root = env.get("JOBSERVER_ROOT_DIR");
        assertThat(instruction("VOLUME")).isEqualTo("[\"" + root + "\"]");
        assertThat(compose.path("services")
                        .path("jobserver")
                        .path("environment")
                        .path("JOBSERVER_ROOT_DIR")
                        .asText())
                .isEqualTo(root);
        assertThat(compose.path("services")
                        .path("jobserver")
                        .path("volumes")
                        .get(0)
                        .asText())
                .endsWith(":" + root);
        assertThat(envValue(container, "JOBSERVER_ROOT_DIR")).isEqualTo(root);
        assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).contains(root);

        // JOBSERVER_CONFIG is the ConfigMap's file where the Deployment mounts it
        String config = envValue(container, "JOBSERVER_CONFIG");
        JsonNode mount = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (config.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertThat(mount).as("a volume mounted where %s is", config).isNotNull();
        String volume = mount.path("name").asText();
        JsonNode source = null;
        for (JsonNode v :
                deployment().path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                source = v;
            }
        }
        assertThat(source).isNotNull();
        String key = config.substring(mount.path("mountPath").asText().length() + 1);
        assertThat(manifest("ConfigMap", source.path("configMap").path("name").asText())
                        .path("data")
                        .has(key))
                .as("ConfigMap key %s", key)
                .isTrue();

        // compose: the server waits for a healthy PostgreSQL, which has a health check
        JsonNode server = compose.path("services").path("jobserver");
        assertThat(server.path("depends_on").properties()).isNotEmpty();
        server.path("depends_on").properties().forEach(dependency -> {
            assertThat(dependency.getValue().path("condition").asText()).isEqualTo("service_healthy");
            assertThat(compose.path("services").path(dependency.getKey()).has("healthcheck"))
                    .as(dependency.getKey())
                    .isTrue();
        });
        assertThat(envOf(server, "JOBSERVER_DB_URL")).startsWith("jdbc:postgresql://postgres:5432/");
    }

    @Test
    void theEntrypointAndHealthCheckAreTheScriptsTheImageCopiesAndTheHealthCheckAsksHealthz() throws IOException {
        // COPY deploy/docker/entrypoint.sh deploy/docker/healthcheck.sh /usr/local/bin/
        Map<String, String> copied = new LinkedHashMap<>();
        for (String copy : instructions("COPY")) {
            if (copy.startsWith("--from")) {
                continue;
            }
            List<String> parts = List.of(copy.split("\\s+"));
            String target = parts.get(parts.size() - 1);
            for (String source : parts.subList(0, parts.size() - 1)) {
                assertThat(HOME.resolve(source)).as("COPY source %s", source).exists();
                copied.put(target.endsWith("/") ? target + Path.of(source).getFileName() : target, source);
            }
        }
        assertThat(copied).containsValues("deploy/docker/entrypoint.sh", "deploy/docker/healthcheck.sh");
        String entrypoint = instruction("ENTRYPOINT");
        String healthcheck = instruction("HEALTHCHECK");
        assertThat(copied.get(jsonArrayFirst(entrypoint))).isEqualTo("deploy/docker/entrypoint.sh");
        assertThat(copied.get(jsonArrayFirst(healthcheck.substring(healthcheck.indexOf("CMD") + 3))))
                .isEqualTo("deploy/docker/healthcheck.sh");
        for (Path script : List.of(ENTRYPOINT, HEALTHCHECK)) {
            assertThat(Files.isExecutable(script)).as(script.toString()).isTrue();
        }
        assertThat(Files.readString(HEALTHCHECK)).contains("GET /healthz ");
        JsonNode container = serverContainer();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("path").asText())
                    .as(probe)
                    .isEqualTo("/healthz");
        }
        // the Deployment runs the image's entrypoint, not a command of its own
        assertThat(container.has("command")).isFalse();
        assertThat(Files.readString(HOME.resolve(".dockerignore"))).contains("**/target", ".git");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<Instruction> parseDockerfile(List<String> lines) {
        List<Instruction> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String text = current.toString().strip();
            current.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            result.add(new Instruction(
                    text.substring(0, space).toUpperCase(java.util.Locale.ROOT),
                    text.substring(space + 1).strip().replaceAll("\\s+", " ")));
        }
        return result;
    }

    /** The arguments of the instruction, which must appear once in the final stage. */
    private static String instruction(String keyword) {
        List<String> all = instructions(keyword);
        assertThat(all).as("%s in the final stage of %s", keyword, DOCKERFILE).hasSize(1);
        return all.get(0);
    }

    /** The arguments of every such instruction of the final stage (after the last FROM). */
    private static List<String> instructions(String keyword) {
        int lastFrom = 0;
        for (int i = 0; i < dockerfile.size(); i++) {
            if (dockerfile.get(i).keyword().equals("FROM")) {
                lastFrom = i;
            }
        }
        return dockerfile.subList(lastFrom, dockerfile.size()).stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::arguments)
                .toList();
    }

    private static Map<String, String> imageEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : instruction("ENV").split("\\s+")) {
            String[] kv = pair.split("=", 2);
            env.put(kv[0], kv[1]);
        }
        return env;
    }

    private static String jsonArrayFirst(String json) throws IOException {
        return YAML.readTree(json.strip()).get(0).asText();
    }

    /** The JOBSERVER_* names the entrypoint reads ($NAME or ${NAME...} outside comments). */
    private static Set<String> entrypointVariables() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern reference = Pattern.compile("\\$\\{?(JOBSERVER_[A-Z0-9_]+)");
        for (String line : Files.readAllLines(ENTRYPOINT)) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            Matcher m = reference.matcher(line);
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static List<Path> kubernetesFiles() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<Path> binScripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(HOME.resolve("bin"))) {
            files.filter(Files::isRegularFile)
                    .filter(f -> {
                        String name = f.getFileName().toString();
                        return name.endsWith(".sh") || name.equals("jobserver") || name.equals("jobserver-cli");
                    })
                    .sorted()
                    .forEach(scripts::add);
        }
        return scripts;
    }

    private static JsonNode manifest(String kind, String name) {
        return manifests.stream()
                .filter(d -> d.path("kind").asText().equals(kind)
                        && d.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + KUBERNETES));
    }

    private static JsonNode deployment() {
        return manifest("Deployment", "spark-jobserver");
    }

    private static JsonNode serverContainer() {
        JsonNode containers =
                deployment().path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static String envValue(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError("no " + name + " in the Deployment's environment");
    }

    private static String envOf(JsonNode service, String name) {
        return service.path("environment").path(name).asText();
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(Files.createTempDirectory(temp, "f").resolve(name), text);
    }

    record Result(int exitCode, String output) {}

    private static String tool(String name) {
        assumeLintRuntime();
        return LINT.resolve("bin").resolve(name).toString();
    }

    /** The build installs the lint runtime on Python 3.11+ only; CI has it, so there its absence fails. */
    private static void assumeLintRuntime() {
        if (!Files.isDirectory(LINT) && !"true".equals(System.getenv("CI"))) {
            Assumptions.abort("no lint runtime at " + LINT
                    + " (the build installs it with Python 3.11 or newer): the container files are not linted");
        }
        assertThat(LINT)
                .as("the lint runtime installed by jobserver-python's build")
                .isDirectory();
    }

    private static Result shellcheck(String severity, List<Path> scripts) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                tool("shellcheck"),
                "--shell=bash",
                "--external-sources",
                "--source-path=SCRIPTDIR",
                "--severity=" + severity));
        scripts.forEach(s -> command.add(s.toString()));
        return run(command);
    }

    private static Result kubernetesValidate(List<String> files) throws Exception {
        List<String> command = new ArrayList<>(List.of("-m", "kubernetes_validate", "--strict"));
        command.addAll(files);
        return python(command);
    }

    private static Result python(List<String> arguments) throws Exception {
        assumeLintRuntime();
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(arguments);
        return run(command);
    }

    private static Result run(List<String> command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", LINT.toString());
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        builder.environment().put("NO_COLOR", "1");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES))
                .as(String.join(" ", command))
                .isTrue();
        System.out.printf("CONTAINER-LINT %s -> %d%n", command.get(command.size() - 1), process.exitValue());
        return new Result(process.exitValue(), output);
    }
}
