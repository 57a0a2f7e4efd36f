package dev.sluice.cli.shell;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sluice completion}: a bash (and zsh, through bashcompinit) completion script generated from the command
 * tree itself, so every command, subcommand, option and enumerated value completes, and none can be forgotten.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a bash completion script for every command and option.",
                "Use: source <(./sluice completion), or save it under /etc/bash_completion.d/."})
public final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("sluice", spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        // the checkout's wrapper script is run as ./sluice
        spec.commandLine().getOut().println("complete -F _complete_sluice -o default ./sluice");
        spec.commandLine().getOut().flush();
        return 0;
    }
}
