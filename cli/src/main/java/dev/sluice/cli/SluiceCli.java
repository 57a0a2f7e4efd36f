package dev.sluice.cli;

import dev.sluice.cli.export.ExportCommand;
import dev.sluice.cli.importing.ImportCommand;
import dev.sluice.cli.replay.ReplayCommand;
import dev.sluice.cli.shadow.ShadowCommand;
import dev.sluice.cli.support.CliEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The commands of {@code ./sluice} that run against a running pipeline: replay, shadow, import, export. (The
 * script also dispatches {@code run}, {@code keys}, {@code cache check} and {@code bench} to their own jars.)
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, version = "sluice 0.1.0",
        description = "Replay topics, import and export pages. Connections come from SLUICE_KAFKA_BOOTSTRAP, SLUICE_PG_URL, "
                + "SLUICE_PG_USER, SLUICE_PG_PASSWORD (the local run's .sluice/env when unset).",
        subcommands = {ReplayCommand.class, ShadowCommand.class, ImportCommand.class, ExportCommand.class})
public final class SluiceCli {

    private SluiceCli() {}

    public static void main(String[] args) {
        System.exit(commandLine(CliEnvironment.fromSystem()).execute(args));
    }

    /** The command tree, its commands reading connections from {@code environment}. */
    public static CommandLine commandLine(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(SluiceCli.class, new CommandLine.IFactory() {
            private final CommandLine.IFactory defaults = CommandLine.defaultFactory();

            @Override
            public <K> K create(Class<K> type) throws Exception {
                try {
                    var constructor = type.getDeclaredConstructor(CliEnvironment.class);
                    constructor.setAccessible(true); // the commands' nested classes are package-private
                    return constructor.newInstance(environment);
                } catch (NoSuchMethodException e) {
                    return defaults.create(type);
                }
            }
        });
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setUsageHelpWidth(110);
        // a failure is reported in one line (the stack trace with SLUICE_DEBUG set), exit status 1
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            failed.getErr().println("sluice " + failed.getCommandName() + ": " + exception.getMessage());
            if (environment.variables().containsKey("SLUICE_DEBUG")) {
                exception.printStackTrace(failed.getErr());
            }
            return 1;
        });
        return commandLine;
    }
}
