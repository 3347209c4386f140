package spark.jobserver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/jobserver} as a distribution runs it ({@code bin/}, {@code conf/}, {@code lib/server},
 * {@code lib/driver}, here with links to the built jars): it starts the server with the JVM options of
 * {@code conf/server-jvm.options}, lets {@code JAVA_OPTS} override them, and drops the file's collector
 * when the caller chooses another (the JVM refuses two). Also the functions of {@code bin/lib/common.sh}
 * that {@code bin/jobserver} and the benchmark scripts share, run by bash on crafted files.
 */
class StartScriptIT {
    private Path dist;
    private Process process;

    @BeforeEach
    void layOutDistribution() throws IOException {
        Path home = Path.of(TestingJobServer.requiredProperty("jobserver.home"));
        dist = Files.createTempDirectory("jobserver-dist-");
        // all of bin/, as jobserver-dist's assembly takes it: bin/jobserver sources bin/lib/
        try (var paths = Files.walk(home.resolve("bin"))) {
            for (Path p : paths.toList()) {
                Files.copy(p, dist.resolve(home.relativize(p)), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Files.createDirectories(dist.resolve("conf"));
        Files.copy(home.resolve("conf/server-jvm.options"), dist.resolve("conf/server-jvm.options"));
        Path server = Files.createDirectories(dist.resolve("lib/server"));
        link(server, Path.of(TestingJobServer.requiredProperty("jobserver.server.jar")));
        for (String jar : Files.readString(
                        Path.of(TestingJobServer.requiredProperty("jobserver.server.classpath-file")))
                .trim()
                .split(java.io.File.pathSeparator)) {
            link(server, Path.of(jar));
        }
        link(
                Files.createDirectories(dist.resolve("lib/driver")),
                Path.of(TestingJobServer.requiredProperty("jobserver.driver.jar")));
    }

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        // links are deleted, not followed
        try (var paths = Files.walk(dist)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void startsTheServerWithTheOptionsOfConfServerJvmOptions() throws Exception {
        List<String> args = start(Map.of());

        assertThat(args).contains("-Xms16m", "-XX:+UseSerialGC", "-Xmx512m");
    }

    @Test
    void javaOptsOverrideTheFileAndACollectorGivenThereReplacesItsCollector() throws Exception {
        List<String> args = start(Map.of("JAVA_OPTS", "-XX:+UseG1GC -Xmx300m"));

        assertThat(args).contains("-XX:+UseG1GC", "-Xms16m").doesNotContain("-XX:+UseSerialGC");
        // the later -Xmx wins
        assertThat(args.lastIndexOf("-Xmx300m")).isGreaterThan(args.indexOf("-Xmx512m"));
    }

    @Test
    void optionLinesAreTakenAsTheyAreAndOnlyACollectorOptionReplacesTheFilesCollector() throws Exception {
        Path options = dist.resolve("test-jvm.options");
        Files.writeString(
                options,
                String.join(
                        "\n",
                        "# a comment",
                        "",
                        "  -Xmx512m   # trailing comment",
                        "\t-Dgreeting=\"hello world\"",
                        "-XX:+UseSerialGC",
                        "-XX:OnOutOfMemoryError=kill -9 %p")); // no newline at the end
        String print = "jobserver_jvm_options \"$@\"; printf '%s\\n' \"${JOBSERVER_JVM_OPTIONS[@]}\"";

        assertThat(bash(print, options.toString(), "-XX:+UseG1GC", "-Dx=1").lines())
                .containsExactly(
                        "-Xmx512m",
                        "-Dgreeting=\"hello world\"",
                        "-XX:OnOutOfMemoryError=kill -9 %p",
                        "-XX:+UseG1GC",
                        "-Dx=1");
        // neither is a collector, though one starts like one and the other ends like one
        assertThat(bash(print, options.toString(), "-XX:+UseCompressedOops", "-Dtag=GC")
                        .lines())
                .containsExactly(
                        "-Xmx512m",
                        "-Dgreeting=\"hello world\"",
                        "-XX:+UseSerialGC",
                        "-XX:OnOutOfMemoryError=kill -9 %p",
                        "-XX:+UseCompressedOops",
                        "-Dtag=GC");
    }

    @Test
    void projectVersionOfThisRepositoryNamesTheJarsTheBuildMade() throws Exception {
        Path home = Path.of(TestingJobServer.requiredProperty("jobserver.home"));
        Path serverJar = Path.of(TestingJobServer.requiredProperty("jobserver.server.jar"));

        String version = projectVersion(home.resolve("pom.xml"));

        assertThat(serverJar.getFileName()).hasToString("jobserver-server-" + version + ".jar");
    }

    @Test
    void projectVersionIsThatOfTheProjectElementWhateverTheLayoutAndTheOtherVersions() throws Exception {
        Path pom = dist.resolve("pom.xml");
        Files.writeString(pom, """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- <version>0.0.1-comment</version> -->
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                	<parent>
                		<groupId>g</groupId><artifactId>p</artifactId><version>9.9-parent</version>
                	</parent>
                	<dependencies>
                		<dependency><artifactId>d</artifactId><version>1.2.3-dependency</version></dependency>
                	</dependencies>
                  <build><plugins><plugin><version>4.5.6-plugin</version></plugin></plugins></build>
                	<version
                	  >2.0.0-SNAPSHOT</version>
                </project>
                """);

        assertThat(projectVersion(pom)).isEqualTo("2.0.0-SNAPSHOT");
    }

    @Test
    void projectVersionIsInheritedFromTheParentAndNeverTakenFromAProperty() throws Exception {
        Path pom = dist.resolve("pom.xml");
        Files.writeString(
                pom,
                "<project><parent><version>3.1</version></parent>"
                        + "<dependencies><dependency><version>1</version></dependency></dependencies></project>");
        assertThat(projectVersion(pom)).isEqualTo("3.1");

        Files.writeString(
                pom, "<project><parent><version>3.1</version></parent><version>${revision}</version></project>");
        assertThatThrownBy(() -> projectVersion(pom)).hasMessageContaining("the version is a property (${revision})");
    }

    private String projectVersion(Path pom) throws Exception {
        return bash("jobserver_project_version \"$1\"", pom.toString()).strip();
    }

    /** Runs the script in bash after sourcing the distribution's bin/lib/common.sh; returns its output. */
    private String bash(String script, String... args) throws Exception {
        List<String> command =
                new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; source \"$COMMON\"; " + script, "bash"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile(dist, "bash-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
        builder.environment().put("COMMON", dist.resolve("bin/lib/common.sh").toString());
        Process bash = builder.start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        if (bash.exitValue() != 0) {
            throw new IllegalStateException("bash exited with " + bash.exitValue() + ": " + Files.readString(err));
        }
        return out;
    }

    /** Starts bin/jobserver, waits for /healthz, and returns the server JVM's arguments. */
    private List<String> start(Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path root = dist.resolve("root");
        Path conf = dist.resolve("test.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "spark.jobserver.port = " + port,
                        "spark.jobserver.bind-address = \"127.0.0.1\"",
                        "spark.jobserver.rootdir = \"" + root + "\"",
                        "spark.jobserver.driver.class-data-sharing = false",
                        ""));
        Path log = dist.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(
                        dist.resolve("bin/jobserver").toString(), "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().putAll(env);
        process = builder.start();
        TestingJobServer http = TestingJobServer.clientOf(root, port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            assertThat(process.isAlive())
                    .as("bin/jobserver exited:%n%s", Files.readString(log))
                    .isTrue();
            try {
                if (http.get("/healthz").status() == 200) {
                    break;
                }
            } catch (UncheckedIOException e) {
                // not listening yet
            }
            assertThat(Instant.now())
                    .as("no answer within 60 s:%n%s", Files.readString(log))
                    .isBefore(deadline);
            Thread.sleep(200);
        }
        // bin/jobserver execs java: the process is the server JVM itself
        return List.of(process.info().arguments().orElseThrow());
    }

    private static void link(Path dir, Path jar) throws IOException {
        Path link = dir.resolve(jar.getFileName());
        if (!Files.exists(link)) {
            Files.createSymbolicLink(link, jar.toAbsolutePath());
        }
    }
}
