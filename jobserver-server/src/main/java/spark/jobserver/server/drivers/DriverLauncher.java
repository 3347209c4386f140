package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.BinaryRef;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.Configs;
import spark.jobserver.server.config.ServerConfig;

/**
 * Starts the driver JVM of a context: {@code java ... org.apache.spark.deploy.SparkSubmit ... DriverMain},
 * in its own directory and session, with its output in its own log file and its secret in the
 * environment.
 */
public final class DriverLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(DriverLauncher.class);
    /** JDK 23+ warn or refuse without these; JDK 17 rejects the second. */
    private static final List<String> JDK23_OPTIONS =
            List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private final ServerConfig config;
    private final Path contextsDir;
    private final ClassDataSharing cds;
    private final Map<String, String> environment;

    public DriverLauncher(ServerConfig config) {
        this(config, Map.of());
    }

    /**
     * @param environment extra environment of every driver (the TLS trust material of {@link DriverTrust});
     *     never logged
     */
    public DriverLauncher(ServerConfig config, Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        this.config = requireNonNull(config, "config is null");
        this.contextsDir = config.rootDir().resolve("contexts");
        this.cds = new ClassDataSharing(
                config.rootDir().resolve("cds"), config.driver().classDataSharing());
    }

    /** Starts building what makes drivers start faster (in the background), if the runtime is configured. */
    public void prepare() {
        if (!config.driver().jar().isBlank() && !config.driver().classpath().isBlank()) {
            jvmOptions(ConfigFactory.empty());
        }
    }

    /**
     * What to launch.
     *
     * @param binaries the context's own binaries ({@code dependent-jar-uris}), resolved; the driver puts them
     *     on the class path before it makes the context
     */
    public record Spec(
            String contextId,
            String contextName,
            Config settings,
            String secret,
            String serverHttpUrl,
            List<BinaryRef> binaries) {
        public Spec {
            requireNonNull(contextId, "contextId is null");
            requireNonNull(settings, "settings is null");
            requireNonNull(secret, "secret is null");
            binaries = List.copyOf(binaries);
        }

        public Spec(String contextId, String contextName, Config settings, String secret, String serverHttpUrl) {
            this(contextId, contextName, settings, secret, serverHttpUrl, List.of());
        }

        @Override
        public String toString() {
            return "Spec[contextId=" + contextId + ", contextName=" + contextName + "]";
        }
    }

    /** A started driver process. */
    public record Launched(Process process, Path logFile, Path workDir) {}

    /** Whether the server knows how to start drivers at all. */
    public void checkConfigured() {
        if (config.driver().jar().isBlank() || config.driver().classpath().isBlank()) {
            throw new IllegalStateException("No driver runtime configured: set spark.jobserver.driver.jar and"
                    + " spark.jobserver.driver.classpath(-file) (bin/jobserver does this)");
        }
    }

    public Launched launch(Spec spec) throws IOException {
        checkConfigured();
        Path workDir = contextsDir.resolve(spec.contextId());
        Files.createDirectories(workDir);
        Path confFile = workDir.resolve("driver.conf");
        Path logFile = workDir.resolve("driver.log");
        writePrivate(
                confFile,
                driverConfig(spec, workDir)
                        .root()
                        .render(ConfigRenderOptions.concise().setFormatted(true)));

        Map<String, String> secretConf = new java.util.TreeMap<>();
        List<String> command = command(spec, confFile, secretConf);
        if (!secretConf.isEmpty()) {
            // secret Spark settings go through a 0600 file, never the command line (ps would show them)
            Path secrets = workDir.resolve("spark-secrets.properties");
            java.util.Properties properties = new java.util.Properties();
            properties.putAll(secretConf);
            java.io.StringWriter text = new java.io.StringWriter();
            properties.store(text, "secret Spark settings of context " + spec.contextName());
            writePrivate(secrets, text.toString());
            int at = command.indexOf("--class");
            command.add(at, secrets.toString());
            command.add(at, "--properties-file");
        }
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put(DriverLaunch.SECRET_ENV, spec.secret());
        pb.environment().putAll(environment);
        if (isLocalMaster(master(spec.settings())) && !pb.environment().containsKey("SPARK_LOCAL_IP")) {
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        }
        LOG.info("Launching the driver of context {} ({}), log {}", spec.contextName(), spec.contextId(), logFile);
        LOG.debug(
                "Driver command: {}",
                command.stream().map(DriverLauncher::masked).toList());
        return new Launched(pb.start(), logFile, workDir);
    }

    /** A {@code key=value} argument with its value hidden when the key names a secret, for logs. */
    static String masked(String argument) {
        int eq = argument.indexOf('=');
        return eq > 0 && Configs.isSecretKey(argument.substring(0, eq))
                ? argument.substring(0, eq + 1) + "****"
                : argument;
    }

    /**
     * The driver's command line. Spark settings whose keys name secrets are left out of it and put into
     * {@code secretConf} instead, for a private properties file.
     */
    List<String> command(Spec spec, Path confFile, Map<String, String> secretConf) {
        Config settings = spec.settings();
        String master = master(settings);
        Map<String, String> sparkConf = sparkConf(settings, master);
        List<String> cmd = new ArrayList<>();
        if (new File("/usr/bin/setsid").canExecute()) {
            // own session and process group: a Ctrl-C of the server must not reach its drivers
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(java());
        cmd.addAll(jvmOptions(settings));
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add("org.apache.spark.deploy.SparkSubmit");
        cmd.add("--master");
        cmd.add(master);
        cmd.add("--deploy-mode");
        cmd.add("client");
        cmd.add("--name");
        cmd.add(spec.contextName());
        if (settings.hasPath("spark.proxy.user")
                && !settings.getString("spark.proxy.user").isBlank()) {
            // impersonation as spark-submit does it (Hadoop proxy user); use-as-proxy-user sets it to the login
            cmd.add("--proxy-user");
            cmd.add(settings.getString("spark.proxy.user"));
        }
        cmd.add("--class");
        cmd.add(DriverLaunch.MAIN_CLASS);
        sparkConf.forEach((k, v) -> {
            if (Configs.isSecretKey(k)) {
                secretConf.put(k, v);
            } else {
                cmd.add("--conf");
                cmd.add(k + "=" + v);
            }
        });
        cmd.add(config.driver().jar());
        cmd.add(confFile.toString());
        return cmd;
    }

    private String java() {
        return Path.of(javaHome(), "bin", "java").toString();
    }

    private String javaHome() {
        return config.driver().javaHome().isBlank()
                ? System.getProperty("java.home")
                : config.driver().javaHome();
    }

    private String classpath() {
        return config.driver().jar() + File.pathSeparator + config.driver().classpath();
    }

    /** Heap, the module flags Spark needs on this JDK, configured options, and the CDS archive when there is one. */
    private List<String> jvmOptions(Config settings) {
        List<String> options = new ArrayList<>();
        options.add("-Xmx" + driverMemory(settings));
        options.addAll(DriverLaunch.SPARK_JVM_OPTIONS);
        if (javaFeatureVersion(javaHome()) >= 23) {
            options.addAll(JDK23_OPTIONS);
        }
        options.addAll(config.driver().jvmOptions());
        List<String> base = List.copyOf(options);
        options.addAll(cds.options(java(), classpath(), archive -> {
            List<String> training = new ArrayList<>();
            training.add(java());
            training.addAll(base);
            training.add("-XX:ArchiveClassesAtExit=" + archive);
            training.addAll(List.of(
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
                    config.driver().jar()));
            return training;
        }));
        return options;
    }

    /** Whether driver JVMs start with a class-data sharing archive now. */
    public boolean usesClassDataSharing() {
        return cds.hasArchive(java(), classpath());
    }

    /** The Spark configuration of a context, from its settings as the reference maps them. */
    static Map<String, String> sparkConf(Config settings, String master) {
        Map<String, String> conf = new LinkedHashMap<>();
        if (settings.hasPath("num-cpu-cores")) {
            conf.put("spark.cores.max", settings.getString("num-cpu-cores"));
        }
        if (settings.hasPath("memory-per-node")) {
            conf.put("spark.executor.memory", settings.getString("memory-per-node"));
        }
        if (settings.hasPath("passthrough")) {
            flatten(settings.getConfig("passthrough"), "", conf);
        }
        if (settings.hasPath("launcher.spark")) {
            Map<String, String> launcher = new LinkedHashMap<>();
            flatten(settings.getConfig("launcher.spark"), "spark.", launcher);
            launcher.remove("spark.master");
            launcher.remove("spark.driver.memory");
            conf.putAll(launcher);
        }
        if (settings.hasPath("spark")) {
            flatten(settings.getConfig("spark"), "spark.", conf);
        }
        conf.remove("spark.master");
        conf.remove("spark.proxy.user");
        if (isLocalMaster(master)) {
            conf.putIfAbsent("spark.driver.host", "127.0.0.1");
            conf.putIfAbsent("spark.driver.bindAddress", "127.0.0.1");
        }
        conf.putIfAbsent("spark.ui.port", "0");
        return conf;
    }

    private static void flatten(Config config, String prefix, Map<String, String> into) {
        for (Map.Entry<String, ConfigValue> e : config.entrySet()) {
            Object value = e.getValue().unwrapped();
            into.put(
                    prefix + e.getKey(),
                    value instanceof List<?> list
                            ? String.join(
                                    ",", list.stream().map(String::valueOf).toList())
                            : String.valueOf(value));
        }
    }

    private String master(Config settings) {
        return settings.hasPath("launcher.spark.master")
                ? settings.getString("launcher.spark.master")
                : config.sparkMaster();
    }

    private static boolean isLocalMaster(String master) {
        return master.startsWith("local");
    }

    private static String driverMemory(Config settings) {
        if (settings.hasPath("launcher.spark.driver.memory")) {
            return javaMemory(settings.getString("launcher.spark.driver.memory"));
        }
        if (settings.hasPath("spark.driver.memory")) {
            return javaMemory(settings.getString("spark.driver.memory"));
        }
        return "1g";
    }

    /** Spark memory strings ("1g", "512m", "2gb") as -Xmx values. */
    static String javaMemory(String sparkMemory) {
        String s = sparkMemory.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        if (!s.matches("\\d+[kmgt]?")) {
            throw new IllegalArgumentException("Invalid driver memory: " + sparkMemory);
        }
        return s;
    }

    private Config driverConfig(Spec spec, Path workDir) {
        String http = spec.serverHttpUrl();
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("context-id", spec.contextId());
        driver.put("context-name", spec.contextName());
        driver.put("server-http-url", http);
        driver.put("server-ws-url", http.replaceFirst("^http", "ws") + DriverLaunch.WEBSOCKET_PATH);
        driver.put("max-jobs", config.maxJobsPerContext());
        driver.put("heartbeat-interval", config.driver().heartbeatInterval().toMillis() + "ms");
        driver.put(
                "reconnect-grace-period", config.driver().reconnectGracePeriod().toMillis() + "ms");
        driver.put(
                "named-object-creation-timeout",
                config.namedObjectCreationTimeout().toMillis() + "ms");
        driver.put("binary-cache-dir", workDir.resolve("binaries").toString());
        List<Map<String, String>> binaries = new ArrayList<>();
        for (BinaryRef ref : spec.binaries()) {
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("name", ref.name());
            if (ref.sha256() != null) {
                entry.put("sha256", ref.sha256());
            } else {
                entry.put("uri", ref.uri());
            }
            binaries.add(entry);
        }
        driver.put("context-binaries", binaries);
        return ConfigFactory.parseMap(Map.of("driver", driver))
                .withValue("context-settings", spec.settings().root())
                .withValue(
                        "job-config-fallback",
                        Configs.withoutSecrets(config.raw()).root());
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, content);
    }

    static int javaFeatureVersion(String javaHome) {
        if (javaHome.equals(System.getProperty("java.home"))) {
            return Runtime.version().feature();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(Path.of(javaHome, "release")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        } catch (IOException | NumberFormatException e) {
            LOG.warn("Cannot tell the Java version of {}; assuming 17", javaHome);
        }
        return 17;
    }
}
