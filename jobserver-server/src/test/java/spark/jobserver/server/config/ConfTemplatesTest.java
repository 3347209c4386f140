package spark.jobserver.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.shiro.config.Ini;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import spark.jobserver.server.auth.AuthSettings;
import spark.jobserver.server.events.EventSettings;
import spark.jobserver.server.ha.HaSettings;
import spark.jobserver.server.http.CorsSettings;
import spark.jobserver.server.http.TlsSettings;
import spark.jobserver.server.idempotency.IdempotencySettings;
import spark.jobserver.server.jobs.JobSettings;
import spark.jobserver.server.logs.LogSettings;

/**
 * The configuration templates the distribution ships in {@code conf/templates}: each is loaded as
 * {@code bin/jobserver -c <template>} loads it (bundled defaults, the file, system properties), bound by
 * every settings record the server binds at start, and warns about no key of the original. Every key a
 * template sets is one the server reads, so a misspelt or renamed key makes this test fail instead of
 * being ignored. Only the files a template names that cannot exist here (the keystore, the Shiro ini under
 * /etc) are redirected to real ones.
 */
class ConfTemplatesTest {
    private static final Path TEMPLATES = Path.of("../conf/templates");
    /** Blocks whose keys are free: Spark settings of contexts, environment variables of drivers. */
    private static final List<String> FREE_FORM =
            List.of("spark.context-settings.", "spark.jobserver.driver.environment.");

    @TempDir
    Path tmp;

    static Stream<String> templates() throws IOException {
        try (Stream<Path> files = Files.list(TEMPLATES)) {
            return files
                    .map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".conf"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @Test
    void everyDeploymentHasATemplate() throws IOException {
        assertThat(templates())
                .containsExactlyInAnyOrder(
                        "local.conf",
                        "standalone.conf",
                        "yarn.conf",
                        "kubernetes.conf",
                        "postgresql.conf",
                        "security.conf");
    }

    @ParameterizedTest
    @MethodSource("templates")
    void theServerAcceptsTheTemplateAsItLoadsAFileGivenWithC(String name) throws Exception {
        Config config = Configs.load(TEMPLATES.resolve(name), redirectedFiles(name));

        ConfigProblems problems = new ConfigProblems(config);
        assertThat(UnsupportedSettings.check(config, problems)).as("warnings").isEmpty();
        assertThat(problems.list()).isEmpty();
        // what Main and JobServer.create bind before opening anything; each throws naming every problem
        ServerConfig server = ServerConfig.from(config);
        AuthSettings.from(config);
        TlsSettings.from(config);
        CorsSettings.from(config);
        HaSettings.from(config);
        JobSettings.from(config);
        LogSettings.from(config);
        EventSettings.from(config);
        IdempotencySettings.from(config);
        AdmissionSettings.from(config);
        assertThat(server.port()).isEqualTo(8090);
    }

    @ParameterizedTest
    @MethodSource("templates")
    void everyKeyATemplateSetsIsOneTheServerReads(String name) throws IOException {
        Config defaults = Configs.load(null); // the bundled defaults, resolved
        ConfigObject template = ConfigFactory.parseFile(
                        TEMPLATES.resolve(name).toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false))
                .root();
        // keys without a bundled default (TLS, access control) are those the configuration reference lists
        String reference = Files.readString(Path.of("../docs/configuration.md"));
        List<String> unknown = new ArrayList<>();
        for (String key : leafPaths(template, "")) {
            boolean known = defaults.hasPath(key)
                    || FREE_FORM.stream().anyMatch(key::startsWith)
                    || reference.contains("`" + key + "`")
                    || reference.contains("`" + key.substring(key.lastIndexOf('.') + 1) + "`");
            if (!known) {
                unknown.add(key);
            }
        }
        assertThat(unknown).as("keys of %s the server does not read", name).isEmpty();
    }

    @Test
    void theTemplatesSayWhatTheyAreFor() throws Exception {
        assertThat(load("local.conf").sparkMaster()).isEqualTo("local[4]");
        assertThat(load("standalone.conf").sparkMaster()).startsWith("spark://");
        ServerConfig yarn = load("yarn.conf");
        assertThat(yarn.sparkMaster()).isEqualTo("yarn");
        assertThat(yarn.driver().environment()).containsKey("HADOOP_CONF_DIR");
        ServerConfig kubernetes = load("kubernetes.conf");
        assertThat(kubernetes.sparkMaster()).startsWith("k8s://https://");
        assertThat(kubernetes.deployMode()).isEqualTo("cluster");
        assertThat(kubernetes.driver().serverUrl()).isNotEmpty();
        assertThat(kubernetes.contextDefaults().getString("spark.kubernetes.container.image"))
                .isNotEmpty();
        assertThat(load("postgresql.conf").database().jdbcUrl()).startsWith("jdbc:postgresql://");

        Config security = Configs.load(TEMPLATES.resolve("security.conf"), redirectedFiles("security.conf"));
        assertThat(TlsSettings.from(security)).isPresent();
        assertThat(AuthSettings.from(security).provider()).isEqualTo(AuthSettings.Provider.SHIRO);
    }

    @Test
    void templatesCombineByIncludeAsDocsDeploymentSays() throws Exception {
        // conf/my.conf next to conf/templates, as docs/deployment.md shows it
        Files.createSymbolicLink(tmp.resolve("templates"), TEMPLATES.toAbsolutePath());
        Path mine = tmp.resolve("my.conf");
        Files.writeString(mine, """
                include "templates/yarn.conf"
                include "templates/postgresql.conf"
                spark.jobserver.driver.server-url = "http://jobserver.example.org:8091"
                """);

        ServerConfig config = ServerConfig.load(mine);

        assertThat(config.sparkMaster()).isEqualTo("yarn");
        assertThat(config.database().jdbcUrl()).startsWith("jdbc:postgresql://");
        assertThat(config.driver().serverUrl()).isEqualTo("http://jobserver.example.org:8091");
    }

    @Test
    void theShiroIniOfTheSecurityTemplateGivesEveryUserAPermissionRole() {
        Ini ini = Ini.fromResourcePath("file:" + TEMPLATES.resolve("shiro.ini").toAbsolutePath());

        assertThat(ini.getSection("users")).containsKeys("admin", "reader", "deployer");
        assertThat(ini.getSection("roles")).containsEntry("admin", "*");
        // a user none of whose roles names a permission would get '*'
        assertThat(ini.getSection("users").get("reader")).endsWith(", reader");
    }

    /** The paths of the leaves under {@code object}, without resolving anything (substitutions stay). */
    private static List<String> leafPaths(ConfigObject object, String prefix) {
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
            String path = prefix + entry.getKey();
            if (entry.getValue() instanceof ConfigObject child) {
                paths.addAll(leafPaths(child, path + "."));
            } else {
                paths.add(path);
            }
        }
        return paths;
    }

    private ServerConfig load(String name) throws Exception {
        return ServerConfig.from(Configs.load(TEMPLATES.resolve(name), redirectedFiles(name)));
    }

    /** The template's files under /etc replaced by real ones: a keystore made here, the shipped shiro.ini. */
    private Config redirectedFiles(String name) throws Exception {
        if (!name.equals("security.conf")) {
            return ConfigFactory.empty();
        }
        Path keystore = tmp.resolve("server.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(keystore)) {
            store.store(out, "changeit".toCharArray());
        }
        return ConfigFactory.parseMap(Map.of(
                "akka.http.server.keystore", keystore.toString(),
                "access-control.shiro.config.path",
                        TEMPLATES.resolve("shiro.ini").toAbsolutePath().toString()));
    }
}
