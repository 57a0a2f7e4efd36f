package dev.sluice.cli.bodies;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code sluice bodies}: how {@code pages} stores page bodies. */
@Command(name = "bodies", mixinStandardHelpOptions = true, description = "How pages stores bodies: compress those still held as text.",
        subcommands = CompressBodiesCommand.class)
public final class BodiesCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
