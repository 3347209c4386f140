package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The command line of a local driver JVM: {@code java <options> -cp <runtime> SparkSubmit --master ...
 * --class DriverMain <driver jar> <server URL> <context id>}; with a Spark distribution ({@code spark.home},
 * {@code spark.jobserver.spark-home}) its own {@code <home>/bin/spark-submit} with the same arguments, as
 * Spark's {@code SparkLauncher} runs it. Pure: the same inputs give the same command, and nothing is read or
 * written here (the launcher writes the files the command names).
 */
final class DriverCommand {
    /** JDK 23+ warn or refuse without these; JDK 17 rejects the second. */
    private static final List<String> JDK23_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    static final String SECRETS_FILE = "spark-secrets.properties";

    /** The heap of spark-submit itself when it only submits a driver to a cluster. */
    private static final String SUBMITTER_HEAP = "-Xmx256m";

    private final ServerConfig.Driver driver;
    private final Defaults defaults;
    private final int javaFeatureVersion;
    private final boolean setsid;
    private final Map<String, String> environment;

    /**
     * The server-wide defaults of what a context may set for itself.
     *
     * @param master {@code spark.master}
     * @param deployMode {@code spark.submit.deployMode}
     * @param supervise {@code spark.driver.supervise}: a standalone master restarts a cluster-mode driver that fails
     * @param sparkHome {@code spark.jobserver.spark-home}: the Spark distribution drivers are launched from; blank
     *     for the runtime bundled with the server
     */
    record Defaults(String master, String deployMode, boolean supervise, String sparkHome) {
        Defaults {
            requireNonNull(master, "master is null");
            requireNonNull(deployMode, "deployMode is null");
            requireNonNull(sparkHome, "sparkHome is null");
        }

        /** Drivers from the bundled runtime. */
        Defaults(String master, String deployMode, boolean supervise) {
            this(master, deployMode, supervise, "");
        }
    }

    /**
     * @param javaFeatureVersion the feature version of the JDK drivers run on (17, 21, 25, ...)
     * @param setsid whether to start drivers in their own session ({@code /usr/bin/setsid}), so that a
     *     Ctrl-C of the server never reaches them
     */
    DriverCommand(ServerConfig.Driver driver, Defaults defaults, int javaFeatureVersion, boolean setsid) {
        this(driver, defaults, javaFeatureVersion, setsid, driver.environment());
    }

    /**
     * @param environment the environment driver processes start with (the server's, under
     *     {@code spark.jobserver.driver.environment}): its {@code HADOOP_CONF_DIR} and {@code YARN_CONF_DIR} go
     *     on the class path, as Spark's scripts put them
     */
    DriverCommand(
            ServerConfig.Driver driver,
            Defaults defaults,
            int javaFeatureVersion,
            boolean setsid,
            Map<String, String> environment) {
        this.driver = requireNonNull(driver, "driver is null");
        this.defaults = requireNonNull(defaults, "defaults is null");
        this.javaFeatureVersion = javaFeatureVersion;
        this.setsid = setsid;
        this.environment = Map.copyOf(environment);
    }

    /** The environment driver processes (and spark-submit) start with. */
    Map<String, String> environment() {
        return environment;
    }

    /**
     * A command, with the Spark settings that name secrets kept out of it: those go into
     * {@link #SECRETS_FILE} (0600) in the driver's directory, which the command names.
     *
     * @param environment set in the command's environment, over the launcher's own
     */
    record Command(List<String> arguments, Map<String, String> secretConf, Map<String, String> environment) {
        Command {
            arguments = List.copyOf(arguments);
            secretConf = Map.copyOf(secretConf);
            environment = Map.copyOf(environment);
        }

        Command(List<String> arguments, Map<String, String> secretConf) {
            this(arguments, secretConf, Map.of());
        }

        /** The arguments with secret-looking {@code key=value} values hidden, for logs. */
        List<String> forLog() {
            return arguments.stream().map(DriverCommand::masked).toList();
        }
    }

    String java() {
        return Path.of(javaHome(), "bin", "java").toString();
    }

    String javaHome() {
        return driver.javaHome().isBlank() ? System.getProperty("java.home") : driver.javaHome();
    }

    String classpath() {
        return driver.jar() + File.pathSeparator + driver.classpath();
    }

    /** Heap, the module flags Spark needs on this JDK, and the configured options. */
    List<String> jvmOptions(Config settings) {
        return jvmOptions("-Xmx" + SparkSettings.driverMemory(settings));
    }

    private List<String> jvmOptions(String heap) {
        List<String> options = new ArrayList<>();
        options.add(heap);
        options.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        if (javaFeatureVersion >= 23) {
            options.addAll(JDK23_OPTIONS);
        }
        options.addAll(driver.jvmOptions());
        return options;
    }

    /**
     * Whether the context's driver runs on a cluster node (cluster deploy mode): spark-submit then only
     * submits it, and it fetches the driver jar from the server.
     */
    boolean isClusterMode(Config settings) {
        return SparkSettings.deployMode(settings, defaults.deployMode()).equals("cluster");
    }

    /** The context's master. */
    String master(Config settings) {
        return SparkSettings.master(settings, defaults.master());
    }

    /** The Spark distribution the context's driver is launched from; empty for the bundled runtime. */
    Optional<Path> sparkHome(Config settings) {
        return SparkSettings.sparkHome(settings, defaults.sparkHome());
    }

    /**
     * The driver's command.
     *
     * @param workDir the driver's own directory, where the secrets file is written
     * @param extraJvmOptions appended to the JVM options (the class-data sharing archive); not with a Spark
     *     distribution, whose class path the archive does not match
     * @param driverEnv what the driver needs in its environment (its key, TLS material): a driver on this host
     *     gets the launcher's environment; for one on a cluster node it travels with the submission (a
     *     standalone master forwards {@code SPARK_*} variables; YARN and Kubernetes take them as settings, kept
     *     in the secrets file)
     */
    Command build(DriverLauncher.Spec spec, Path workDir, List<String> extraJvmOptions, Map<String, String> driverEnv) {
        Config settings = spec.settings();
        String master = master(settings);
        boolean cluster = isClusterMode(settings);
        Optional<Path> home = sparkHome(settings);
        List<String> cmd = new ArrayList<>();
        if (setsid) {
            cmd.add("/usr/bin/setsid");
        }
        if (home.isPresent()) {
            cmd.add(home.get().resolve("bin").resolve("spark-submit").toString());
        } else {
            cmd.add(java());
            if (cluster) {
                cmd.addAll(jvmOptions(SUBMITTER_HEAP));
            } else {
                cmd.addAll(jvmOptions(settings));
                cmd.addAll(extraJvmOptions);
            }
            // Hadoop's configuration directories on the class path, as Spark's own scripts put them
            cmd.addAll(List.of("-cp", classpath() + hadoopConfDirs(), "org.apache.spark.deploy.SparkSubmit"));
        }
        cmd.addAll(List.of(
                "--master", master, "--deploy-mode", cluster ? "cluster" : "client", "--name", spec.contextName()));
        if (cluster && master.startsWith("spark://") && supervised(settings)) { // standalone only: others ignore it
            cmd.add("--supervise");
        }
        if (settings.hasPath("spark.proxy.user")
                && !settings.getString("spark.proxy.user").isBlank()) {
            // impersonation as spark-submit does it (Hadoop proxy user); use-as-proxy-user sets it to the login
            cmd.addAll(List.of("--proxy-user", settings.getString("spark.proxy.user")));
        }
        Map<String, String> sparkConf = SparkSettings.sparkConf(settings, master);
        if (!cluster) {
            // any free port on this host; on a cluster node Spark's own default (4040, then the next free one)
            // stays: a Kubernetes driver pod declares its UI port, and 0 is not a valid one there
            sparkConf.putIfAbsent("spark.ui.port", "0");
        }
        if (master.startsWith("yarn")) {
            sparkConf.putAll(YarnClusterManager.defaults(
                    sparkConf, driver.classpath(), cluster, cluster && supervised(settings)));
        }
        Map<String, String> secretConf = new TreeMap<>();
        if (home.isPresent()) {
            cmd.addAll(distributionOptions(settings, sparkConf, cluster));
        }
        if (cluster) {
            if (home.isEmpty()) {
                sparkConf.put("spark.driver.memory", SparkSettings.driverMemory(settings));
            }
            // The cluster manager launches the driver, and a standalone worker does not give it the module
            // flags Spark needs on JDK 17+ (Kryo, which Spark picks for shuffles of Scala jobs, fails without them).
            sparkConf.merge(
                    "spark.driver.extraJavaOptions",
                    String.join(" ", DriverLaunch.SPARK_JVM_OPTIONS),
                    (own, flags) -> flags + " " + own);
            secretConf.putAll(
                    ClusterManager.forMaster(master, this, settings).submissionSettings(spec.contextId(), driverEnv));
        }
        List<String> conf = new ArrayList<>();
        sparkConf.forEach((k, v) -> {
            if (Configs.isSecretKey(k)) {
                secretConf.put(k, v);
            } else {
                conf.add("--conf");
                conf.add(k + "=" + v);
            }
        });
        if (!secretConf.isEmpty()) {
            cmd.addAll(
                    List.of("--properties-file", workDir.resolve(SECRETS_FILE).toString()));
            if (home.isPresent()) {
                // without it, a properties file replaces the distribution's conf/spark-defaults.conf (Spark 4.0+)
                cmd.add("--load-spark-defaults");
            }
        }
        cmd.addAll(List.of("--class", DriverLaunch.MAIN_CLASS));
        cmd.addAll(conf);
        // a cluster node fetches the driver jar from the server; this host runs it from where it is
        cmd.add(cluster ? runtimeUrl(spec.serverHttpUrl()) : driver.jar());
        // the driver asks the server for the rest of its configuration
        cmd.add(spec.serverHttpUrl());
        cmd.add(spec.contextId());
        return new Command(
                cmd, secretConf, home.map(this::distributionEnvironment).orElse(Map.of()));
    }

    /**
     * What the JVM options of the bundled runtime become with a distribution's spark-submit: the heap is
     * {@code --driver-memory} (spark-submit sets {@code -Xmx} in client mode and asks the cluster for it in
     * cluster mode), and the configured JVM options of drivers, then the context's own
     * {@code spark.driver.extraJavaOptions}, are {@code --driver-java-options} (client mode: in cluster mode,
     * as with the bundled runtime, they stay on this host). Spark's launcher adds the module flags Spark needs
     * on the JDK itself.
     */
    private List<String> distributionOptions(Config settings, Map<String, String> sparkConf, boolean cluster) {
        String heap = SparkSettings.driverMemory(settings);
        sparkConf.remove("spark.driver.memory"); // one source of the heap: spark-submit gives the driver its own
        // one string, as Spark's launcher splits it: at blanks, honouring quotes and backslashes
        List<String> javaOptions = new ArrayList<>();
        if (!cluster) {
            for (String option : driver.jvmOptions()) {
                if (option.startsWith("-Xmx")) {
                    heap = option.substring(
                            4); // the launcher refuses -Xmx; the last one wins, as on a java command line
                } else {
                    javaOptions.add(quoted(option));
                }
            }
            String contextOptions = sparkConf.remove("spark.driver.extraJavaOptions");
            if (contextOptions != null && !contextOptions.isBlank()) {
                javaOptions.add(contextOptions.strip()); // already in the launcher's syntax
            }
        }
        List<String> options = new ArrayList<>(List.of("--driver-memory", heap));
        if (!javaOptions.isEmpty()) {
            options.addAll(List.of("--driver-java-options", String.join(" ", javaOptions)));
        }
        return options;
    }

    /** {@code option} as one word for Spark's launcher: single-quoted when it holds a blank, a quote or a backslash. */
    static String quoted(String option) {
        if (!option.isEmpty() && option.chars().noneMatch(c -> Character.isWhitespace(c) || "'\"\\".indexOf(c) >= 0)) {
            return option;
        }
        return "'" + option.replace("'", "'\\''") + "'";
    }

    /**
     * The environment of a distribution's spark-submit: its own {@code SPARK_HOME} (spark-submit runs the
     * spark-class of {@code SPARK_HOME} when it is set, whichever script was called) and the JDK of drivers.
     * {@code SPARK_ENV_LOADED} is cleared so that the distribution's {@code spark-env.sh} is read even when
     * the server was started from Spark's scripts.
     */
    private Map<String, String> distributionEnvironment(Path home) {
        return Map.of("SPARK_HOME", home.toString(), "JAVA_HOME", javaHome(), "SPARK_ENV_LOADED", "");
    }

    /** {@code HADOOP_CONF_DIR} and {@code YARN_CONF_DIR} as class path entries, in the order spark-class adds them. */
    private String hadoopConfDirs() {
        StringBuilder dirs = new StringBuilder();
        for (String name : List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR")) {
            String dir = environment.getOrDefault(name, "");
            if (!dir.isBlank()) {
                dirs.append(File.pathSeparator).append(dir);
            }
        }
        return dirs.toString();
    }

    /** Where a cluster fetches the driver jar: the server's {@link DriverLaunch#RUNTIME_PATH}. */
    String runtimeUrl(String serverHttpUrl) {
        return serverHttpUrl + DriverLaunch.RUNTIME_PATH + Path.of(driver.jar()).getFileName();
    }

    private boolean supervised(Config settings) {
        for (String key : List.of("launcher.spark.driver.supervise", "spark.driver.supervise")) {
            if (settings.hasPath(key)) {
                return settings.getBoolean(key);
            }
        }
        return defaults.supervise();
    }

    /** {@code java <Spark's JVM options> -cp <runtime>}: the start of a short Spark tool's command. */
    List<String> sparkJvm() {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions(SUBMITTER_HEAP));
        cmd.addAll(List.of("-cp", classpath()));
        return cmd;
    }

    /** The background run that records the classes a driver loads into a class-data sharing archive. */
    List<String> trainingCommand(Path archive) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvmOptions(com.typesafe.config.ConfigFactory.empty()));
        cmd.add("-XX:ArchiveClassesAtExit=" + archive);
        cmd.addAll(List.of(
                "-cp",
                classpath(),
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                "local[1]",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.driver.bindAddress=127.0.0.1",
                "--class",
                ClassDataSharing.TRAINING_CLASS,
                driver.jar()));
        return cmd;
    }

    /** A {@code key=value} argument with its value hidden when the key names a secret, for logs. */
    static String masked(String argument) {
        int eq = argument.indexOf('=');
        return eq > 0 && Configs.isSecretKey(argument.substring(0, eq))
                ? argument.substring(0, eq + 1) + "****"
                : argument;
    }
}
