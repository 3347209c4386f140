package spark.jobserver.server.drivers;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.jobserver.protocol.DriverLaunch;
import spark.jobserver.server.config.ServerConfig;

/**
 * Starts drivers as child processes of the server, from the Spark runtime the build brings or through the
 * {@code bin/spark-submit} of a Spark distribution ({@code spark.home}): {@link DriverCommand} in the
 * context's own directory and session, its output in its own log file, its secret in the environment and its
 * secret Spark settings in a 0600 file.
 */
public final class LocalDriverLauncher implements DriverLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDriverLauncher.class);
    private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private final ServerConfig config;
    private final Path contextsDir;
    private final DriverCommand command;
    private final ClassDataSharing cds;
    private final YarnRuntimeArchive yarnArchive;
    private final Map<String, String> environment;

    /**
     * @param environment extra environment of every driver (the TLS trust material of {@link DriverTrust});
     *     never logged
     * @param background where the launcher's background work ends (the class-data sharing training run)
     */
    public LocalDriverLauncher(ServerConfig config, Map<String, String> environment, Executor background) {
        this.config = requireNonNull(config, "config is null");
        this.environment = Map.copyOf(environment);
        this.contextsDir = config.rootDir().resolve("contexts");
        String javaHome = config.driver().javaHome().isBlank()
                ? System.getProperty("java.home")
                : config.driver().javaHome();
        this.command = new DriverCommand(
                config.driver(),
                new DriverCommand.Defaults(
                        config.sparkMaster(),
                        config.deployMode(),
                        config.raw().hasPath("spark.driver.supervise")
                                && config.raw().getBoolean("spark.driver.supervise"),
                        config.sparkHome()),
                javaFeatureVersion(javaHome),
                new File("/usr/bin/setsid").canExecute(),
                driverEnvironment(config.driver()));
        this.cds = new ClassDataSharing(
                config.rootDir().resolve("cds"), config.driver().classDataSharing(), background);
        this.yarnArchive = new YarnRuntimeArchive(
                config.rootDir().resolve("yarn"), config.driver().classpath());
    }

    /** Starts building the class-data sharing archive (in the background), if the runtime is configured. */
    @Override
    public void prepare() {
        if (isConfigured()) {
            cdsOptions();
        }
    }

    private boolean isConfigured() {
        return !config.driver().jar().isBlank() && !config.driver().classpath().isBlank();
    }

    @Override
    public Launched launch(Spec context) throws IOException {
        if (!isConfigured()) {
            throw new IllegalStateException("No driver runtime configured: set spark.jobserver.driver.jar and"
                    + " spark.jobserver.driver.classpath(-file) (bin/jobserver does this)");
        }
        Spec spec = withYarnArchive(context);
        Path workDir = contextsDir.resolve(spec.contextId());
        Files.createDirectories(workDir);
        Path logFile = workDir.resolve("driver.log");
        boolean cluster = command.isClusterMode(spec.settings());
        Optional<Path> sparkHome = command.sparkHome(spec.settings());
        Map<String, String> driverEnv = new LinkedHashMap<>();
        driverEnv.put(DriverLaunch.SECRET_ENV, spec.secret());
        // a driver on a cluster node has none of this host's files: the TLS stores travel inline
        driverEnv.putAll(cluster ? inline(environment) : environment);
        // the class-data sharing archive belongs to the bundled runtime's class path
        DriverCommand.Command cmd =
                command.build(spec, workDir, cluster || sparkHome.isPresent() ? List.of() : cdsOptions(), driverEnv);
        if (!cmd.secretConf().isEmpty()) {
            // secret Spark settings go through a 0600 file, never the command line (ps would show them)
            Properties properties = new Properties();
            properties.putAll(cmd.secretConf());
            StringWriter text = new StringWriter();
            properties.store(text, "secret Spark settings of context " + spec.contextName());
            writePrivate(workDir.resolve(DriverCommand.SECRETS_FILE), text.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd.arguments())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().putAll(config.driver().environment());
        pb.environment().putAll(driverEnv);
        pb.environment().putAll(cmd.environment());
        String master = command.master(spec.settings());
        if (SparkSettings.isLocalMaster(master) && !pb.environment().containsKey("SPARK_LOCAL_IP")) {
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        }
        LOG.info(
                "{} the driver of context {} ({}){}, log {}",
                cluster ? "Submitting to " + master + " (cluster deploy mode)" : "Launching",
                spec.contextName(),
                spec.contextId(),
                sparkHome
                        .map(home -> " through " + home.resolve("bin").resolve("spark-submit"))
                        .orElse(""),
                logFile);
        LOG.debug("Driver command: {}", cmd.forLog());
        Process process = pb.start();
        return new Launched(
                cluster
                        ? new SubmittedDriver(
                                process,
                                logFile,
                                spec.contextId(),
                                ClusterManager.forMaster(master, command, spec.settings()))
                        : LocalDriverProcess.started(process),
                logFile);
    }

    /** The server's environment under {@code spark.jobserver.driver.environment}: what driver processes get. */
    private static Map<String, String> driverEnvironment(ServerConfig.Driver driver) {
        Map<String, String> env = new LinkedHashMap<>(System.getenv());
        env.putAll(driver.environment());
        return env;
    }

    /**
     * On YARN, unless the context names Spark's jars itself ({@code spark.yarn.jars}, {@code spark.yarn.archive}):
     * the runtime as one archive, which YARN ships faster than the jars one by one; the jars one by one
     * ({@link YarnClusterManager#defaults}) if the archive cannot be built.
     */
    private Spec withYarnArchive(Spec spec) {
        String master = command.master(spec.settings());
        if (!master.startsWith("yarn")
                || YarnClusterManager.namesSparkJars(SparkSettings.sparkConf(spec.settings(), master))) {
            return spec;
        }
        try {
            Config settings = spec.settings()
                    .withValue(
                            "spark.yarn.archive",
                            ConfigValueFactory.fromAnyRef(yarnArchive.get().toString()));
            return new Spec(
                    spec.contextId(),
                    spec.contextName(),
                    settings,
                    spec.secret(),
                    spec.serverHttpUrl(),
                    spec.binaries());
        } catch (IOException e) {
            LOG.warn("Cannot build the Spark runtime archive for YARN, shipping the jars one by one: {}", e.toString());
            return spec;
        }
    }

    /** The TLS stores of {@code env} inline ({@code base64:...}) instead of as paths on this host. */
    private static Map<String, String> inline(Map<String, String> env) throws IOException {
        Map<String, String> inlined = new LinkedHashMap<>(env);
        for (String key : List.of(DriverLaunch.TLS_TRUSTSTORE_ENV, DriverLaunch.TLS_KEYSTORE_ENV)) {
            String path = env.get(key);
            if (path != null && !path.isBlank() && !path.startsWith(DriverLaunch.INLINE_PREFIX)) {
                inlined.put(
                        key,
                        DriverLaunch.INLINE_PREFIX
                                + Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(path))));
            }
        }
        return inlined;
    }

    @Override
    public Optional<DriverProcess> find(long pid, String contextId) {
        return LocalDriverProcess.adopt(pid, contextId);
    }

    private List<String> cdsOptions() {
        return cds.options(command.java(), command.classpath(), command::trainingCommand);
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
