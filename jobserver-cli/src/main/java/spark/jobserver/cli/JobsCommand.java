package spark.jobserver.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import spark.jobserver.client.JobProgress;
import spark.jobserver.client.JobReport;
import spark.jobserver.client.JobRequest;
import spark.jobserver.client.JobServerClient;
import spark.jobserver.client.JobServerException;
import spark.jobserver.client.KillReply;
import spark.jobserver.client.LogPage;

@Command(name = "jobs", description = "Run jobs and follow them.", mixinStandardHelpOptions = true)
final class JobsCommand {
    private static final Duration POLL = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    static final class Target {
        @Option(
                names = {"-a", "--app"},
                paramLabel = "<name>",
                description = "An uploaded binary's name.")
        String app;

        @Option(names = "--cp", paramLabel = "<binaries>", description = "Comma-separated binary names and/or URIs.")
        String cp;
    }

    @Command(
            name = "run",
            description = {
                "Starts a job. Without --sync it prints the job's id and returns;",
                "with --sync it shows the job's progress on stderr while it waits and prints its result."
            })
    void run(
            @ArgGroup(multiplicity = "1") Target target,
            @Option(
                            names = {"-c", "--class"},
                            required = true,
                            paramLabel = "<class>",
                            description = "The job's class (Python: module.Class).")
                    String classPath,
            @Option(names = "--context", paramLabel = "<name>", description = "A running context (default: ad hoc).")
                    String context,
            @Option(
                            names = {"-f", "--config-file"},
                            paramLabel = "<file>",
                            description = "The job's config, a HOCON or JSON file.")
                    Path configFile,
            @Option(
                            names = "--config",
                            paramLabel = "<hocon>",
                            description =
                                    "The job's config as text, e.g. 'input.string = a b c' (after --config-file).")
                    String configText,
            @Option(names = "--sync", description = "Wait for the job's end and print its result.") boolean sync,
            @Option(
                            names = "--timeout",
                            paramLabel = "<seconds>",
                            description = "With --sync: stop waiting after this long (the job goes on; exit code 7).")
                    Long timeoutSeconds) {
        JobServerCli cli = JobServerCli.of(spec);
        JobServerClient client = cli.client();
        JobRequest request = target.app != null
                ? JobRequest.of(target.app, classPath)
                : JobRequest.ofClassPath(target.cp, classPath);
        request.context(context).config(config(configFile, configText));
        JobReport started = client.submitJob(request);
        if (!sync) {
            cli.output().table(List.of("JOB ID", "STATUS", "CONTEXT", "CLASS"), List.of(reportRow(started)), started);
            return;
        }
        PrintWriter err = cli.err();
        err.println("Job " + started.jobId() + " started" + (context != null ? " in " + context : ""));
        err.flush();
        long deadline = timeoutSeconds == null ? Long.MAX_VALUE : System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String[] shown = {null};
        JobReport report = client.awaitJob(started.jobId(), POLL, polled -> {
            if (polled.isDone()) {
                return;
            }
            String line = progressLine(polled, progressOf(client, polled.jobId()));
            if (!line.equals(shown[0])) {
                err.println(line);
                err.flush();
                shown[0] = line;
            }
            if (System.nanoTime() > deadline) {
                throw new JobServerCli.JobFailed(
                        "Job " + polled.jobId() + " is still " + polled.status() + " after " + timeoutSeconds
                                + " s; `jobs result " + polled.jobId() + "` reads its result later",
                        ExitCodes.JOB_NOT_DONE);
            }
        });
        err.println("Job " + report.jobId() + " " + report.status() + " in " + report.duration());
        err.flush();
        printResult(cli, report);
    }

    @Command(name = "status", description = "A job's status.")
    void status(@Parameters(paramLabel = "<id>") String jobId) {
        JobServerCli cli = JobServerCli.of(spec);
        JobReport r = cli.client().getJob(jobId);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("job", r.jobId());
        fields.put("status", r.status());
        fields.put("class", r.classPath());
        fields.put("context", r.context());
        fields.put("started", r.startTime());
        fields.put("duration", r.duration());
        r.error().ifPresent(e -> fields.put("error", e.message()));
        cli.output().fields(fields, r);
    }

    @Command(name = "result", description = "A finished job's result (exit code 1 if it failed, 7 if still running).")
    void result(@Parameters(paramLabel = "<id>") String jobId) {
        JobServerCli cli = JobServerCli.of(spec);
        JobReport report = cli.client().getJob(jobId);
        if (!report.isDone()) {
            throw new JobServerCli.JobFailed(
                    "Job " + jobId + " is " + report.status() + "; no result yet", ExitCodes.JOB_NOT_DONE);
        }
        printResult(cli, report);
    }

    @Command(name = "kill", description = "Kills a running job.")
    void kill(@Parameters(paramLabel = "<id>") String jobId) {
        JobServerCli cli = JobServerCli.of(spec);
        KillReply reply = cli.client().killJob(jobId);
        cli.output().message("Job " + jobId + " " + reply.status(), reply);
    }

    @Command(name = "list", description = "The newest jobs first.")
    void list(
            @Option(names = "--status", paramLabel = "<status>", description = "RUNNING, FINISHED, ERROR, KILLED, ...")
                    String status,
            @Option(names = "--limit", paramLabel = "<n>", description = "At most this many (server default 50).")
                    Integer limit) {
        JobServerCli cli = JobServerCli.of(spec);
        List<JobReport> jobs = cli.client().listJobs(status == null ? null : status.toUpperCase(), limit);
        cli.output()
                .table(
                        List.of("JOB ID", "STATUS", "CONTEXT", "CLASS", "STARTED", "DURATION"),
                        jobs.stream()
                                .map(j -> Output.row(
                                        j.jobId(), j.status(), j.context(), j.classPath(), j.startTime(), j.duration()))
                                .toList(),
                        jobs);
    }

    @Command(name = "logs", description = "A job's log lines; --follow keeps printing them until the job ends.")
    void logs(
            @Parameters(paramLabel = "<id>") String jobId,
            @Option(
                            names = {"-f", "--follow"},
                            description = "Print new lines as they come.")
                    boolean follow) {
        JobServerCli cli = JobServerCli.of(spec);
        JobServerClient client = cli.client();
        PrintWriter out = cli.out();
        if (follow) {
            try (Stream<String> lines = client.followJobLogs(jobId, null)) {
                lines.forEach(line -> {
                    out.println(line);
                    out.flush();
                });
            }
            return;
        }
        long offset = 0;
        LogPage page;
        do {
            page = client.jobLogs(jobId, offset, null);
            out.print(page.text());
            out.flush();
            if (page.nextOffset() <= offset) {
                break;
            }
            offset = page.nextOffset();
        } while (page.hasMore());
    }

    private static void printResult(JobServerCli cli, JobReport report) {
        Output output = cli.output();
        if (report.isFailed()) {
            if (output.json()) {
                output.printJson(report);
            }
            String message =
                    report.error().map(e -> e.errorClass() + ": " + e.message()).orElse("");
            throw new JobServerCli.JobFailed(
                    "Job " + report.jobId() + " " + report.status() + ": " + message, ExitCodes.JOB_FAILED);
        }
        if (output.json()) {
            output.printJson(report);
        } else {
            output.value(report.result());
        }
    }

    private static JobProgress progressOf(JobServerClient client, String jobId) {
        try {
            return client.getJobProgress(jobId);
        } catch (JobServerException e) {
            return null;
        }
    }

    /** One line of a running job's progress: its status, Spark jobs and tasks. */
    static String progressLine(JobReport report, JobProgress progress) {
        StringBuilder line = new StringBuilder("Job " + report.jobId() + " " + report.status());
        if (progress != null && !progress.sparkJobs().isEmpty()) {
            long running = progress.sparkJobs().stream()
                    .filter(j -> j.status().equals("RUNNING"))
                    .count();
            line.append(": ")
                    .append(progress.sparkJobs().size())
                    .append(" Spark job(s)")
                    .append(running > 0 ? " (" + running + " running)" : "")
                    .append(", tasks ")
                    .append(progress.completedTasks())
                    .append('/')
                    .append(progress.numTasks());
        }
        return line.toString();
    }

    private static List<String> reportRow(JobReport r) {
        return Output.row(r.jobId(), r.status(), r.context(), r.classPath());
    }

    static String config(Path file, String text) {
        StringBuilder config = new StringBuilder();
        if (file != null) {
            try {
                config.append(Files.readString(file)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the config file " + file, e);
            }
        }
        if (text != null) {
            config.append(text);
        }
        return config.toString();
    }
}
