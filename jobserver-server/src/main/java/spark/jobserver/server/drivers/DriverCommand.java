package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * The command line of a local driver JVM: {@code java <options> -cp <runtime> SparkSubmit --master ...
 * --class DriverMain <driver jar> <server URL> <context id>}. Pure: the same inputs give the same command, and
 * nothing is read or written here (the launcher writes the files the command names).
 */
final class DriverCommand {
    /** JDK 23+ warn or refuse without these; JDK 17 rejects the second. */
    private static final List<String> JDK23_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    static final String SECRETS_FILE = "spark-secrets.properties";

    private final ServerConfig.Driver driver;
    private final String defaultMaster;
    private final int javaFeatureVersion;
    private final boolean setsid;

    /**
     * @param javaFeatureVersion the feature version of the JDK drivers run on (17, 21, 25, ...)
     * @param setsid whether to start drivers in their own session ({@code /usr/bin/setsid}), so that a
     *     Ctrl-C of the server never reaches them
     */
    DriverCommand(ServerConfig.Driver driver, String defaultMaster, int javaFeatureVersion, boolean setsid) {
        this.driver = requireNonNull(driver, "driver is null");
        this.defaultMaster = requireNonNull(defaultMaster, "defaultMaster is null");
        this.javaFeatureVersion = javaFeatureVersion;
        this.setsid = setsid;
    }

    /**
     * A command, with the Spark settings that name secrets kept out of it: those go into
     * {@link #SECRETS_FILE} (0600) in the driver's directory, which the command names.
     */
    record Command(List<String> arguments, Map<String, String> secretConf) {
        Command {
            arguments = List.copyOf(arguments);
            secretConf = Map.copyOf(secretConf);
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
        List<String> options = new ArrayList<>();
        options.add("-Xmx" + SparkSettings.driverMemory(settings));
        options.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        if (javaFeatureVersion >= 23) {
            options.addAll(JDK23_OPTIONS);
        }
        options.addAll(driver.jvmOptions());
        return options;
    }

    /**
     * The driver's command.
     *
     * @param workDir the driver's own directory, where the secrets file is written
     * @param extraJvmOptions appended to the JVM options (the class-data sharing archive)
     */
    Command build(DriverLauncher.Spec spec, Path workDir, List<String> extraJvmOptions) {
        Config settings = spec.settings();
        String master = SparkSettings.master(settings, defaultMaster);
        List<String> cmd = new ArrayList<>();
        if (setsid) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(java());
        cmd.addAll(jvmOptions(settings));
        cmd.addAll(extraJvmOptions);
        cmd.addAll(List.of("-cp", classpath(), "org.apache.spark.deploy.SparkSubmit"));
        cmd.addAll(List.of("--master", master, "--deploy-mode", "client", "--name", spec.contextName()));
        if (settings.hasPath("spark.proxy.user")
                && !settings.getString("spark.proxy.user").isBlank()) {
            // impersonation as spark-submit does it (Hadoop proxy user); use-as-proxy-user sets it to the login
            cmd.addAll(List.of("--proxy-user", settings.getString("spark.proxy.user")));
        }
        Map<String, String> secretConf = new TreeMap<>();
        List<String> conf = new ArrayList<>();
        SparkSettings.sparkConf(settings, master).forEach((k, v) -> {
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
        }
        cmd.addAll(List.of("--class", DriverLaunch.MAIN_CLASS));
        cmd.addAll(conf);
        cmd.add(driver.jar());
        // the driver asks the server for the rest of its configuration
        cmd.add(spec.serverHttpUrl());
        cmd.add(spec.contextId());
        return new Command(cmd, secretConf);
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
