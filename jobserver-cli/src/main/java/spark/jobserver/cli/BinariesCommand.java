package spark.jobserver.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import spark.jobserver.client.Binary;
import spark.jobserver.client.BinaryType;
import spark.jobserver.client.JobServerClient;

@Command(name = "binaries", description = "Uploaded jars, eggs and wheels.", mixinStandardHelpOptions = true)
final class BinariesCommand {
    @Spec
    CommandSpec spec;

    @Command(name = "list", description = "Every app's newest binary.")
    void list() {
        JobServerCli cli = JobServerCli.of(spec);
        List<Binary> binaries = cli.client().listBinaries();
        cli.output()
                .table(
                        List.of("NAME", "TYPE", "UPLOADED"),
                        binaries.stream()
                                .map(b -> Output.row(b.appName(), b.binaryType(), b.uploadTime()))
                                .toList(),
                        binaries);
    }

    @Command(name = "upload", description = "Uploads a binary; the same name again is a new version.")
    void upload(
            @Parameters(index = "0", paramLabel = "<name>", description = "The app's name.") String name,
            @Parameters(index = "1", paramLabel = "<file>", description = "The .jar, .egg or .whl.") Path file,
            @Option(
                            names = "--type",
                            paramLabel = "jar|egg|wheel",
                            description = "The binary's type (default: from the file's extension).")
                    String type) {
        JobServerCli cli = JobServerCli.of(spec);
        JobServerClient client = cli.client();
        if (type != null) {
            client.uploadBinary(name, file, BinaryType.parse(type));
        } else {
            client.uploadBinary(name, file);
        }
        Binary stored = client.getBinary(name);
        cli.output().message("Uploaded " + name + " (" + stored.binaryType() + ")", stored);
    }

    @Command(name = "delete", description = "Deletes every version of an app's binary.")
    void delete(@Parameters(paramLabel = "<name>", description = "The app's name.") String name) {
        JobServerCli cli = JobServerCli.of(spec);
        cli.client().deleteBinary(name);
        cli.output().message("Deleted " + name, Output.envelope("SUCCESS", null));
    }
}
