package spark.jobserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import spark.jobserver.client.JobProgress;
import spark.jobserver.client.JobReport;

/** Parsing, settings and output of the CLI; every command against a real server is CliIT's. */
class JobServerCliTest {
    @TempDir
    Path home;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private JobServerCli parse(Map<String, String> env, String... args) {
        CommandLine cli =
                JobServerCli.commandLine(CliConfig.load(env, home), new PrintWriter(out), new PrintWriter(err));
        cli.parseArgs(args);
        return cli.getCommand();
    }

    private int run(Map<String, String> env, String... args) {
        return JobServerCli.run(args, new PrintWriter(out), new PrintWriter(err), env, home);
    }

    @Test
    void globalOptionsAreTakenBeforeOrAfterTheCommand() {
        JobServerCli before = parse(Map.of(), "--url", "http://a:1", "-o", "json", "jobs", "list");
        JobServerCli after = parse(Map.of(), "jobs", "list", "--url", "http://a:1", "-o", "json");
        JobServerCli between = parse(Map.of(), "jobs", "--url=http://a:1", "list", "--output=JSON");
        for (JobServerCli cli : List.of(before, after, between)) {
            assertThat(cli.url()).isEqualTo("http://a:1");
            assertThat(cli.output().json()).isTrue();
        }
        assertThat(parse(Map.of(), "jobs", "list").output().json()).isFalse();
    }

    @Test
    void theUrlComesFromTheOptionThenTheEnvironmentThenTheConfigFileThenTheDefault() throws Exception {
        assertThat(parse(Map.of(), "jobs", "list").url()).isEqualTo("http://localhost:8090");

        Path file = home.resolve(".config/jobserver/cli.properties");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "url = http://from-file:8090\n");
        assertThat(parse(Map.of(), "jobs", "list").url()).isEqualTo("http://from-file:8090");
        assertThat(parse(Map.of("JOBSERVER_URL", "http://from-env:8090"), "jobs", "list")
                        .url())
                .isEqualTo("http://from-env:8090");
        assertThat(parse(Map.of("JOBSERVER_URL", "http://from-env:8090"), "--url", "http://opt:1", "jobs", "list")
                        .url())
                .isEqualTo("http://opt:1");

        Path xdg = home.resolve("xdg");
        Files.createDirectories(xdg.resolve("jobserver"));
        Files.writeString(xdg.resolve("jobserver/cli.properties"), "url=http://from-xdg:8090");
        assertThat(parse(Map.of("XDG_CONFIG_HOME", xdg.toString()), "jobs", "list")
                        .url())
                .isEqualTo("http://from-xdg:8090");
        Path explicit = home.resolve("my.properties");
        Files.writeString(explicit, "url=http://explicit:8090");
        assertThat(parse(Map.of("JOBSERVER_CLI_CONFIG", explicit.toString()), "jobs", "list")
                        .url())
                .isEqualTo("http://explicit:8090");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run(Map.of(), "jobs", "frobnicate")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Unmatched argument");
        assertThat(run(Map.of(), "jobs", "run", "-c", "X")).isEqualTo(ExitCodes.USAGE);
        assertThat(run(Map.of(), "jobs", "run", "-a", "app", "--cp", "x", "-c", "X"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run(Map.of(), "-o", "yaml", "jobs", "list")).isEqualTo(ExitCodes.USAGE);
        assertThat(run(Map.of())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing command");
    }

    @Test
    void aLocalProblemIsAUsageErrorBeforeAnythingIsSent() {
        assertThat(run(Map.of(), "--url", "http://127.0.0.1:1", "binaries", "upload", "a", "words.txt"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Cannot tell the binary type of words.txt");
        assertThat(run(Map.of(), "--url", "http://127.0.0.1:1", "contexts", "create", "c", "no-equals"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("A setting is key=value: 'no-equals'");
    }

    @Test
    void aServerThatIsNotThereExitsWith6() {
        assertThat(run(Map.of("JOBSERVER_URL", "http://127.0.0.1:1"), "contexts", "list"))
                .isEqualTo(ExitCodes.CONNECTION_FAILED);
        assertThat(err.toString()).contains("Cannot reach http://127.0.0.1:1");
    }

    @Test
    void contextSettingsAreKeyValuePairs() {
        assertThat(ContextsCommand.parseSettings(List.of("num-cpu-cores=2", "spark.driver.extraJavaOptions=-Da=b")))
                .containsExactly(Map.entry("num-cpu-cores", "2"), Map.entry("spark.driver.extraJavaOptions", "-Da=b"));
    }

    @Test
    void theConfigFileComesFirstThenTheText(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, "input.string = from file");
        assertThat(JobsCommand.config(file, "input.string = from text"))
                .isEqualTo("input.string = from file\ninput.string = from text");
        assertThat(JobsCommand.config(null, null)).isEmpty();
    }

    @Test
    void tablesAlignTheirColumns() {
        assertThat(Output.renderTable(
                        List.of("NAME", "TYPE"), List.of(Output.row("test", "Jar"), Output.row("a-longer-name", null))))
                .isEqualTo("NAME           TYPE\ntest           Jar\na-longer-name\n");
    }

    @Test
    void progressShowsSparkJobsAndTasks() {
        JobReport report = new JobReport("j1", "t", "C", "ctx", "id", "Job not done yet", "RUNNING", null);
        assertThat(JobsCommand.progressLine(report, null)).isEqualTo("Job j1 RUNNING");
        JobProgress progress = new JobProgress(
                "j1",
                "RUNNING",
                List.of(
                        new JobProgress.SparkJob(0, "SUCCEEDED", List.of(0), 4, 0, 4, 0, 0, "t", "t"),
                        new JobProgress.SparkJob(1, "RUNNING", List.of(1, 2), 6, 2, 1, 2, 0, "t", null)),
                List.of(),
                0);
        assertThat(JobsCommand.progressLine(report, progress))
                .isEqualTo("Job j1 RUNNING: 2 Spark job(s) (1 running), tasks 5/8");
    }

    @Test
    void completionScriptsNameTheCommands() {
        assertThat(run(Map.of(), "completion", "bash")).isZero();
        assertThat(out.toString()).contains("complete -F", "binaries", "contexts", "jobs", "--url");
        StringWriter bash = new StringWriter();
        bash.write(out.toString());
        out.getBuffer().setLength(0);
        assertThat(run(Map.of(), "completion", "zsh")).isZero();
        assertThat(out.toString()).startsWith("autoload").contains("bashcompinit");
        assertThat(run(Map.of(), "completion", "fish")).isEqualTo(ExitCodes.USAGE);
    }
}
