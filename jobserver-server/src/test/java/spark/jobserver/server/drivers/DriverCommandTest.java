package spark.jobserver.server.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.ServerConfig;

class DriverCommandTest {
    private static final ServerConfig.Driver DRIVER = TestDrivers.settings(
            "/x/driver.jar", "/x/spark-core.jar:/x/scala.jar", "/opt/jdk", List.of("-XX:+UseSerialGC"), true);
    private static final Path WORK = Path.of("/root/contexts/id-1");
    private static final DriverCommand.Defaults LOCAL = new DriverCommand.Defaults("local[4]", "client", false);
    private static final Map<String, String> ENV = Map.of("SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");

    private static DriverLauncher.Spec spec(String settings) {
        return new DriverLauncher.Spec(
                "id-1", "ctx", ConfigFactory.parseString(settings), "secret", "http://127.0.0.1:1", List.of());
    }

    @Test
    void theCommandRunsSparkSubmitWithTheDriverMainInItsOwnSession() {
        DriverCommand.Command cmd = new DriverCommand(DRIVER, LOCAL, 17, true)
                .build(spec("launcher.spark.driver.memory = 2g"), WORK, List.of("-XX:SharedArchiveFile=/a.jsa"), ENV);
        List<String> args = cmd.arguments();
        assertThat(args.subList(0, 3)).containsExactly("/usr/bin/setsid", "/opt/jdk/bin/java", "-Xmx2g");
        assertThat(args).contains("spark.ui.port=0"); // any free port on this host
        assertThat(args).containsSubsequence(DriverLaunch.SPARK_JVM_OPTIONS);
        assertThat(args)
                .containsSubsequence(
                        "-XX:+UseSerialGC",
                        "-XX:SharedArchiveFile=/a.jsa",
                        "-cp",
                        "/x/driver.jar:/x/spark-core.jar:/x/scala.jar",
                        "org.apache.spark.deploy.SparkSubmit",
                        "--master",
                        "local[4]",
                        "--deploy-mode",
                        "client",
                        "--name",
                        "ctx",
                        "--class",
                        DriverLaunch.MAIN_CLASS);
        // the driver gets the server's URL and its context's id, and asks the server for the rest
        assertThat(args.subList(args.size() - 3, args.size()))
                .containsExactly("/x/driver.jar", "http://127.0.0.1:1", "id-1");
        assertThat(args).doesNotContain("--enable-native-access=ALL-UNNAMED", "--properties-file");
        assertThat(cmd.secretConf()).isEmpty();
    }

    @Test
    void newerJdksGetTheirFlagsAndNoSessionWithoutSetsid() {
        List<String> args = new DriverCommand(DRIVER, LOCAL, 25, false)
                .build(spec(""), WORK, List.of(), ENV)
                .arguments();
        assertThat(args.get(0)).isEqualTo("/opt/jdk/bin/java");
        assertThat(args).contains("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
        assertThat(args).contains("-Xmx1g");
    }

    @Test
    void aContextsMasterAndProxyUserReachSparkSubmit() {
        List<String> args = new DriverCommand(DRIVER, LOCAL, 17, false)
                .build(
                        spec("launcher.spark.master = \"spark://m:7077\"\nspark.proxy.user = alice"),
                        WORK,
                        List.of(),
                        ENV)
                .arguments();
        assertThat(args).containsSubsequence("--master", "spark://m:7077").containsSubsequence("--proxy-user", "alice");
        assertThat(args).noneMatch(a -> a.startsWith("spark.proxy.user="));
        assertThat(args).noneMatch(a -> a.startsWith("spark.driver.host="));
    }

    @Test
    void secretSparkSettingsStayOffTheCommandLine() {
        DriverCommand.Command cmd = new DriverCommand(DRIVER, LOCAL, 17, false)
                .build(spec("spark.hadoop.fs.s3a.secret.key = s3cr3t\nspark.executor.cores = 1"), WORK, List.of(), ENV);
        assertThat(String.join(" ", cmd.arguments())).doesNotContain("s3cr3t").contains("spark.executor.cores=1");
        assertThat(cmd.arguments())
                .containsSubsequence("--properties-file", "/root/contexts/id-1/spark-secrets.properties", "--class");
        assertThat(cmd.secretConf()).containsEntry("spark.hadoop.fs.s3a.secret.key", "s3cr3t");
        assertThat(cmd.forLog()).noneMatch(a -> a.contains("s3cr3t"));
    }

    @Test
    void theTrainingRunWritesTheArchive() {
        List<String> training = new DriverCommand(DRIVER, LOCAL, 17, false).trainingCommand(Path.of("/cds/a.jsa.part"));
        assertThat(training)
                .contains("-XX:ArchiveClassesAtExit=/cds/a.jsa.part")
                .containsSubsequence("--class", ClassDataSharing.TRAINING_CLASS, "/x/driver.jar");
    }

    @Test
    void secretArgumentsAreMaskedForLogs() {
        assertThat(DriverCommand.masked("spark.ssl.keyStorePassword=pw")).isEqualTo("spark.ssl.keyStorePassword=****");
        assertThat(DriverCommand.masked("spark.executor.cores=1")).isEqualTo("spark.executor.cores=1");
    }

    @Test
    void javaVersionOfTheRunningJdk() {
        assertThat(LocalDriverLauncher.javaFeatureVersion(System.getProperty("java.home")))
                .isEqualTo(Runtime.version().feature());
    }

    @Test
    void inClusterModeTheClusterFetchesTheDriverJarFromTheServerAndNoSecretIsOnTheCommandLine() {
        DriverCommand command =
                new DriverCommand(DRIVER, new DriverCommand.Defaults("spark://m:7077", "client", false), 17, false);
        DriverCommand.Command cmd = command.build(
                spec(
                        "spark.submit.deployMode = cluster\nlauncher.spark.driver.memory = 2g\nlauncher.spark.driver.supervise = true"),
                WORK,
                List.of("-XX:SharedArchiveFile=/a.jsa"),
                ENV);
        List<String> args = cmd.arguments();
        assertThat(args)
                .containsSubsequence(
                        "--master", "spark://m:7077", "--deploy-mode", "cluster", "--name", "ctx", "--supervise")
                .contains("-Xmx256m", "spark.driver.memory=2g")
                .doesNotContain("-Xmx2g", "-XX:SharedArchiveFile=/a.jsa");
        assertThat(args.subList(args.size() - 3, args.size()))
                .containsExactly("http://127.0.0.1:1/driver/runtime/driver.jar", "http://127.0.0.1:1", "id-1");
        assertThat(String.join(" ", args)).doesNotContain("k3y");
        // a standalone master forwards the SPARK_* environment of the submission: nothing else to do
        assertThat(cmd.secretConf()).isEmpty();
    }

    @Test
    void onYarnAndKubernetesTheDriversEnvironmentTravelsAsSettingsInTheSecretsFile() {
        DriverCommand command =
                new DriverCommand(DRIVER, new DriverCommand.Defaults("yarn", "cluster", false), 17, false);
        DriverCommand.Command yarn = command.build(spec(""), WORK, List.of(), ENV);
        assertThat(yarn.secretConf()).containsEntry("spark.yarn.appMasterEnv.SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");
        assertThat(yarn.arguments())
                .containsSubsequence("--properties-file", "/root/contexts/id-1/spark-secrets.properties");
        assertThat(yarn.arguments()).doesNotContain("--supervise");
        DriverCommand.Command k8s =
                command.build(spec("launcher.spark.master = \"k8s://https://api:6443\""), WORK, List.of(), ENV);
        assertThat(k8s.secretConf())
                .containsEntry("spark.kubernetes.driverEnv.SPARK_JOBSERVER_CONTEXT_SECRET", "k3y")
                .containsEntry("spark.kubernetes.driver.pod.name", "jobserver-id-1");
        assertThat(String.join(" ", k8s.arguments())).doesNotContain("k3y");
    }

    @Test
    void clientModeStaysTheDefaultAndAContextMayChooseEither() {
        DriverCommand command =
                new DriverCommand(DRIVER, new DriverCommand.Defaults("spark://m:7077", "cluster", true), 17, false);
        assertThat(command.isClusterMode(spec("").settings())).isTrue();
        assertThat(command.isClusterMode(
                        spec("spark.submit.deployMode = client").settings()))
                .isFalse();
        assertThat(command.build(spec(""), WORK, List.of(), ENV).arguments()).contains("--supervise");
        assertThat(command.build(spec("spark.driver.supervise = false"), WORK, List.of(), ENV)
                        .arguments())
                .doesNotContain("--supervise");
    }

    // ---------------------------------------------------------------- a Spark distribution (spark.home)

    private static final DriverCommand.Defaults WITH_HOME =
            new DriverCommand.Defaults("local[4]", "client", false, "/opt/spark");

    @Test
    void withASparkHomeTheDistributionsSparkSubmitGetsTheSameArgumentsAndTheHeapAsDriverMemory() {
        DriverCommand.Command cmd = new DriverCommand(DRIVER, WITH_HOME, 17, true)
                .build(spec("launcher.spark.driver.memory = 2g"), WORK, List.of("-XX:SharedArchiveFile=/a.jsa"), ENV);
        // no class-data sharing archive (it belongs to the bundled class path) and no module flags (Spark's
        // launcher adds its own): the configured JVM options only
        assertThat(cmd.arguments())
                .containsExactly(
                        "/usr/bin/setsid",
                        "/opt/spark/bin/spark-submit",
                        "--master",
                        "local[4]",
                        "--deploy-mode",
                        "client",
                        "--name",
                        "ctx",
                        "--driver-memory",
                        "2g",
                        "--driver-java-options",
                        "-XX:+UseSerialGC",
                        "--class",
                        DriverLaunch.MAIN_CLASS,
                        "--conf",
                        "spark.driver.host=127.0.0.1",
                        "--conf",
                        "spark.driver.bindAddress=127.0.0.1",
                        "--conf",
                        "spark.ui.port=0",
                        "/x/driver.jar",
                        "http://127.0.0.1:1",
                        "id-1");
        // spark-submit runs the spark-class of SPARK_HOME, on the JDK of JAVA_HOME
        assertThat(cmd.environment())
                .isEqualTo(Map.of("SPARK_HOME", "/opt/spark", "JAVA_HOME", "/opt/jdk", "SPARK_ENV_LOADED", ""));
        assertThat(cmd.secretConf()).isEmpty();
    }

    @Test
    void aContextChoosesItsOwnDistributionOrTheBundledRuntime() {
        DriverCommand command = new DriverCommand(DRIVER, WITH_HOME, 17, false);
        DriverCommand.Command own =
                command.build(spec("spark.home = /opt/spark-4.1.1\nspark.driver.memory = 3g"), WORK, List.of(), ENV);
        assertThat(own.arguments().get(0)).isEqualTo("/opt/spark-4.1.1/bin/spark-submit");
        assertThat(own.arguments())
                .containsSubsequence("--driver-memory", "3g")
                .noneMatch(a -> a.startsWith("spark.home=") || a.startsWith("spark.driver.memory="));
        assertThat(own.environment()).containsEntry("SPARK_HOME", "/opt/spark-4.1.1");

        DriverCommand.Command bundled = command.build(spec("spark.home = \"\""), WORK, List.of(), ENV);
        assertThat(bundled.arguments().subList(0, 2)).containsExactly("/opt/jdk/bin/java", "-Xmx1g");
        assertThat(bundled.arguments()).contains("org.apache.spark.deploy.SparkSubmit");
        assertThat(bundled.environment()).isEmpty();

        // a server without a default distribution: the context's own
        assertThat(new DriverCommand(DRIVER, LOCAL, 17, false)
                        .build(spec("spark.home = /opt/spark-4.1.1"), WORK, List.of(), ENV)
                        .arguments()
                        .get(0))
                .isEqualTo("/opt/spark-4.1.1/bin/spark-submit");
    }

    @Test
    void theDriversJvmOptionsAndTheContextsOwnBecomeOneDriverJavaOptionsString() {
        ServerConfig.Driver driver = TestDrivers.settings(
                "/x/driver.jar",
                "/x/spark-core.jar",
                "",
                List.of("-Xmx4g", "-Dspark.it.quoted=it's a b", "-XX:+UseSerialGC", "-Xmx3g"),
                true);
        DriverCommand.Command cmd = new DriverCommand(driver, WITH_HOME, 17, false)
                .build(
                        spec("spark.driver.extraJavaOptions = \"-Dx=1 -Dy='a b'\"\nspark.executor.cores = 1"),
                        WORK,
                        List.of(),
                        ENV);
        // Spark's launcher refuses -Xmx among java options: the last one is the heap, as on a java command line
        assertThat(cmd.arguments())
                .containsSubsequence(
                        "--driver-memory",
                        "3g",
                        "--driver-java-options",
                        "'-Dspark.it.quoted=it'\\''s a b' -XX:+UseSerialGC -Dx=1 -Dy='a b'",
                        "--class")
                .contains("spark.executor.cores=1")
                .noneMatch(a -> a.startsWith("spark.driver.extraJavaOptions="));
        // the driver's JDK is the server's own when none is configured
        assertThat(cmd.environment()).containsEntry("JAVA_HOME", System.getProperty("java.home"));
    }

    @Test
    void optionsAreQuotedForSparksLauncherOnlyWhenTheyNeedIt() {
        assertThat(DriverCommand.quoted("-Da=b")).isEqualTo("-Da=b");
        assertThat(DriverCommand.quoted("-Da=b c")).isEqualTo("'-Da=b c'");
        assertThat(DriverCommand.quoted("-Da=\"b\"")).isEqualTo("'-Da=\"b\"'");
        assertThat(DriverCommand.quoted("-Da=C:\\x")).isEqualTo("'-Da=C:\\x'");
        assertThat(DriverCommand.quoted("-Da='b'")).isEqualTo("'-Da='\\''b'\\'''");
        assertThat(DriverCommand.quoted("")).isEqualTo("''");
    }

    @Test
    void withASparkHomeInClusterModeTheClusterGetsTheDriverMemoryAndTheDriverJarFromTheServer() {
        DriverCommand command = new DriverCommand(
                DRIVER, new DriverCommand.Defaults("spark://m:7077", "cluster", true, "/opt/spark"), 17, false);
        List<String> args = command.build(spec("launcher.spark.driver.memory = 2g"), WORK, List.of(), ENV)
                .arguments();
        // the configured JVM options stay on this host, as with the bundled runtime
        assertThat(args)
                .containsExactly(
                        "/opt/spark/bin/spark-submit",
                        "--master",
                        "spark://m:7077",
                        "--deploy-mode",
                        "cluster",
                        "--name",
                        "ctx",
                        "--supervise",
                        "--driver-memory",
                        "2g",
                        "--class",
                        DriverLaunch.MAIN_CLASS,
                        "--conf",
                        "spark.driver.extraJavaOptions=" + String.join(" ", DriverLaunch.SPARK_JVM_OPTIONS),
                        "http://127.0.0.1:1/driver/runtime/driver.jar",
                        "http://127.0.0.1:1",
                        "id-1");
    }

    @Test
    void aDriverOnAClusterNodeGetsTheModuleFlagsSparkNeedsBeforeTheContextsOwnOptions() {
        DriverCommand command =
                new DriverCommand(DRIVER, new DriverCommand.Defaults("spark://m:7077", "cluster", false), 17, false);
        List<String> args = command.build(spec("spark.driver.extraJavaOptions = \"-Dmine=1\""), WORK, List.of(), ENV)
                .arguments();
        assertThat(args)
                .contains("spark.driver.extraJavaOptions=" + String.join(" ", DriverLaunch.SPARK_JVM_OPTIONS)
                        + " -Dmine=1");
        assertThat(String.join(" ", DriverLaunch.SPARK_JVM_OPTIONS))
                .contains("--add-opens=java.base/java.nio=ALL-UNNAMED");
        // a driver on this host has them on its own command line
        List<String> client = new DriverCommand(
                        DRIVER, new DriverCommand.Defaults("spark://m:7077", "client", false), 17, false)
                .build(spec(""), WORK, List.of(), ENV)
                .arguments();
        assertThat(client).noneMatch(a -> a.startsWith("spark.driver.extraJavaOptions="));
    }

    @Test
    void withASecretsFileTheDistributionsSparkDefaultsAreStillLoaded() {
        DriverCommand command = new DriverCommand(
                DRIVER, new DriverCommand.Defaults("yarn", "cluster", false, "/opt/spark"), 17, false);
        DriverCommand.Command cmd =
                command.build(spec("spark.hadoop.fs.s3a.secret.key = s3cr3t"), WORK, List.of(), ENV);
        assertThat(cmd.arguments())
                .containsSubsequence(
                        "--driver-memory",
                        "1g",
                        "--properties-file",
                        "/root/contexts/id-1/spark-secrets.properties",
                        "--load-spark-defaults",
                        "--class");
        assertThat(cmd.secretConf())
                .containsEntry("spark.hadoop.fs.s3a.secret.key", "s3cr3t")
                .containsEntry("spark.yarn.appMasterEnv.SPARK_JOBSERVER_CONTEXT_SECRET", "k3y");
        assertThat(String.join(" ", cmd.arguments())).doesNotContain("s3cr3t", "k3y");
    }
}
