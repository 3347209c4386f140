package spark.jobserver.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "completion",
        description = {
            "Prints a shell completion script:",
            "  source <(jobserver-cli completion bash)    # bash, e.g. in ~/.bashrc",
            "  source <(jobserver-cli completion zsh)     # zsh, e.g. in ~/.zshrc"
        },
        mixinStandardHelpOptions = true)
final class CompletionCommand implements Runnable {
    enum Shell {
        bash,
        zsh
    }

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "bash|zsh", description = "The shell.")
    Shell shell;

    @Override
    public void run() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("jobserver-cli", root);
        if (shell == Shell.zsh) {
            // picocli's script runs in zsh through its bash completion emulation
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        JobServerCli.of(spec).out().print(script);
        JobServerCli.of(spec).out().flush();
    }
}
