package spark.jobserver.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import spark.jobserver.client.JobServerClient;
import spark.jobserver.client.JobServerConnectionException;
import spark.jobserver.client.JobServerException;
import spark.jobserver.client.NotFoundException;

/** {@code bin/jobserver-cli}: the job server's REST API from a shell. */
@Command(
        name = "jobserver-cli",
        mixinStandardHelpOptions = true,
        versionProvider = JobServerCli.Version.class,
        description = "Drives a Spark Job Server: binaries, contexts, jobs.",
        subcommands = {
            BinariesCommand.class,
            ContextsCommand.class,
            JobsCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0 done; 1 the job failed (ERROR, KILLED); 2 usage error; 3 not found (404);",
            "  4 refused (other 4xx); 5 server error (5xx); 6 cannot connect; 7 job not finished yet.",
            "Server URL: --url, else $JOBSERVER_URL, else url= in $XDG_CONFIG_HOME/jobserver/cli.properties",
            "(~/.config/jobserver/cli.properties), else http://localhost:8090."
        })
public final class JobServerCli implements Runnable {
    @Option(
            names = "--url",
            scope = ScopeType.INHERIT,
            paramLabel = "<url>",
            description = "The server, e.g. http://localhost:8090 (default: $JOBSERVER_URL, the config file,"
                    + " http://localhost:8090).")
    String url;

    @Option(
            names = {"-o", "--output"},
            scope = ScopeType.INHERIT,
            paramLabel = "table|json",
            description = "Output format: table (default) or json.")
    Output.Format format;

    @Option(
            names = "--user",
            scope = ScopeType.INHERIT,
            paramLabel = "<user>",
            description = "HTTP Basic user (default: $JOBSERVER_USER, the config file).")
    String user;

    @Option(
            names = "--password",
            scope = ScopeType.INHERIT,
            paramLabel = "<password>",
            description = "HTTP Basic password (default: $JOBSERVER_PASSWORD, the config file).")
    String password;

    @Option(
            names = "--token",
            scope = ScopeType.INHERIT,
            paramLabel = "<token>",
            description = "A bearer token (default: $JOBSERVER_TOKEN, the config file).")
    String token;

    private final CliConfig config;
    private JobServerClient client;
    private final PrintWriter out;
    private final PrintWriter err;

    JobServerCli(CliConfig config, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code;
        try {
            code = run(args, out, err, System.getenv(), Path.of(System.getProperty("user.home")));
        } catch (UncheckedIOException e) {
            err.println("Error: " + e.getMessage());
            code = ExitCodes.USAGE;
        }
        System.exit(code);
    }

    /** Runs one command line; answers the exit code. */
    static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Path home) {
        CommandLine cli = commandLine(CliConfig.load(env, home), out, err);
        try {
            return cli.execute(args);
        } finally {
            ((JobServerCli) cli.getCommand()).closeClient();
        }
    }

    static CommandLine commandLine(CliConfig config, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new JobServerCli(config, out, err));
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(describe(e, cli.getCommand()));
            commandLine.getErr().flush();
            return exitCode(e);
        });
        return cli;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "Missing command: binaries, contexts, jobs or completion");
    }

    static int exitCode(Exception e) {
        if (e instanceof JobFailed failed) {
            return failed.code();
        }
        if (e instanceof NotFoundException) {
            return ExitCodes.NOT_FOUND;
        }
        if (e instanceof JobServerException server) {
            return server.statusCode() >= 500 ? ExitCodes.SERVER_ERROR : ExitCodes.REFUSED;
        }
        if (e instanceof JobServerConnectionException) {
            return ExitCodes.CONNECTION_FAILED;
        }
        if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
            return ExitCodes.USAGE;
        }
        return ExitCodes.SERVER_ERROR;
    }

    private static String describe(Exception e, Object root) {
        if (e instanceof JobFailed) {
            return e.getMessage();
        }
        if (e instanceof JobServerException server) {
            return "Error: " + server.statusCode() + " " + server.status() + ": " + server.serverMessage();
        }
        if (e instanceof JobServerConnectionException) {
            return "Error: " + e.getMessage();
        }
        if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
            return "Error: " + e.getMessage();
        }
        return "Error: " + e;
    }

    // ---------------------------------------------------------------- for the commands

    /** The one client of this command line, made at the first call. */
    JobServerClient client() {
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    private void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    private JobServerClient newClient() {
        JobServerClient.Builder builder = JobServerClient.builder(config.url(url));
        Optional<String> bearer = config.token(token);
        Optional<String> basicUser = config.user(user);
        if (bearer.isPresent()) {
            builder.bearerToken(bearer.get());
        } else if (basicUser.isPresent()) {
            builder.basicAuth(basicUser.get(), config.password(password).orElse(""));
        }
        return builder.build();
    }

    String url() {
        return config.url(url);
    }

    Output output() {
        return new Output(format == null ? Output.Format.table : format, out);
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    static JobServerCli of(CommandLine.Model.CommandSpec spec) {
        return (JobServerCli) spec.root().userObject();
    }

    /** A job that ended without a result, or has not ended: the command's outcome, with its exit code. */
    static final class JobFailed extends RuntimeException {
        private final int code;

        JobFailed(String message, int code) {
            super(message);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = JobServerCli.class.getPackage().getImplementationVersion();
            return new String[] {"jobserver-cli " + (version == null ? "(development build)" : version)};
        }
    }
}
