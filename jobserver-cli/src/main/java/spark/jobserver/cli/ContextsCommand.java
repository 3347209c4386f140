package spark.jobserver.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import spark.jobserver.client.ContextInfo;
import spark.jobserver.client.JobServerClient;
import spark.jobserver.client.NotFoundException;

@Command(name = "contexts", description = "Long-running Spark contexts.", mixinStandardHelpOptions = true)
final class ContextsCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", description = "The running contexts.")
    void list() {
        JobServerCli cli = JobServerCli.of(spec);
        JobServerClient client = cli.client();
        List<ContextInfo> contexts = new ArrayList<>();
        for (String name : client.listContexts()) {
            try {
                contexts.add(client.getContext(name));
            } catch (NotFoundException e) {
                // stopped between the two calls
            }
        }
        cli.output()
                .table(
                        List.of("NAME", "STATE", "STARTED", "APPLICATION"),
                        contexts.stream()
                                .map(c -> Output.row(c.name(), c.state(), c.startTime(), c.applicationId()))
                                .toList(),
                        contexts);
    }

    @Command(name = "get", description = "A context, running or the newest ended one of that name.")
    void get(@Parameters(paramLabel = "<name>") String name) {
        JobServerCli cli = JobServerCli.of(spec);
        ContextInfo c = cli.client().getContext(name);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", c.name());
        fields.put("id", c.id());
        fields.put("state", c.state());
        fields.put("started", c.startTime());
        fields.put("ended", c.endTime());
        fields.put("application", c.applicationId());
        fields.put("ui", c.url());
        cli.output().fields(fields, c);
    }

    @Command(
            name = "create",
            description =
                    "Starts a context and waits until it runs; settings as key=value"
                            + " (num-cpu-cores=2 context-factory=... spark.executor.memory=1g launcher.spark.driver.memory=1g).")
    void create(
            @Parameters(index = "0", paramLabel = "<name>", description = "Starts with a letter.") String name,
            @Parameters(index = "1..*", paramLabel = "<key=value>", description = "Context settings.")
                    List<String> settings) {
        JobServerCli cli = JobServerCli.of(spec);
        String result = cli.client().createContext(name, parseSettings(settings));
        cli.output().message(result + ": " + name, Output.envelope("SUCCESS", result));
    }

    @Command(name = "delete", description = "Stops a context and its jobs.")
    void delete(
            @Parameters(paramLabel = "<name>") String name,
            @Option(names = "--force", description = "Kill the driver instead of asking it to stop.") boolean force) {
        JobServerCli cli = JobServerCli.of(spec);
        String result = cli.client().deleteContext(name, force);
        cli.output().message(result + ": " + name, Output.envelope("SUCCESS", result));
    }

    static Map<String, String> parseSettings(List<String> settings) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String setting : settings == null ? List.<String>of() : settings) {
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("A setting is key=value: '" + setting + "'");
            }
            map.put(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
        }
        return map;
    }
}
