package dev.sluice.cli;

import dev.sluice.backup.command.BackupCommand;
import dev.sluice.bench.Bench;
import dev.sluice.cli.bodies.BodiesCommand;
import dev.sluice.cli.cache.CacheCommand;
import dev.sluice.cli.export.ExportCommand;
import dev.sluice.cli.importing.ImportCommand;
import dev.sluice.cli.keys.ApiKeysCommand;
import dev.sluice.cli.replay.ReplayCommand;
import dev.sluice.cli.shadow.ShadowCommand;
import dev.sluice.cli.shell.CompletionCommand;
import dev.sluice.cli.shell.EnvCommand;
import dev.sluice.cli.shell.Version;
import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.core.kafka.NativeCompression;
import dev.sluice.infra.local.LocalRun;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine;

/**
 * {@code sluice}: every command in one application. Against a running pipeline: import, export, replay, shadow,
 * backup, keys, cache, bodies; on this machine: run (the whole pipeline) and bench; and env, completion, help. The
 * {@code ./sluice} script builds this jar when needed and fills in connection settings from the local stack.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class, usageHelpAutoWidth = true,
        description = {"Sluice: a write-behind pipeline from crawlers to PostgreSQL through Kafka, with a Redis cache kept fresh.",
                "Connections come from SLUICE_KAFKA_BOOTSTRAP, SLUICE_PG_URL, SLUICE_PG_USER, SLUICE_PG_PASSWORD, SLUICE_REDIS_URL, "
                        + "SLUICE_API_URL, SLUICE_API_KEY (./sluice fills in what is unset from the running local stack; "
                        + "./sluice env shows them)."},
        subcommands = {LocalRun.class, ImportCommand.class, ExportCommand.class, ReplayCommand.class, ShadowCommand.class,
                BackupCommand.class, ApiKeysCommand.class, CacheCommand.class, BodiesCommand.class, Bench.class, EnvCommand.class,
                CompletionCommand.class, HelpCommand.class})
public final class SluiceCli {

    private SluiceCli() {}

    public static void main(String[] args) {
        NativeCompression.loadLz4(); // Kafka's lz4 natively, as the services do: inside this jar it would fall back to Java (replay)
        System.exit(commandLine(CliEnvironment.fromSystem()).execute(args));
    }

    /** The command tree, its commands reading connections from {@code environment}. */
    public static CommandLine commandLine(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(SluiceCli.class, new CommandLine.IFactory() {
            private final CommandLine.IFactory defaults = CommandLine.defaultFactory();

            @Override
            public <K> K create(Class<K> type) throws Exception {
                // the commands' nested classes are package-private; the backup commands, in a library of their own, take
                // the variables as a map
                for (var constructor : type.getDeclaredConstructors()) {
                    Class<?>[] parameters = constructor.getParameterTypes();
                    if (parameters.length == 1 && (parameters[0] == CliEnvironment.class || parameters[0] == Map.class)) {
                        constructor.setAccessible(true);
                        return type.cast(constructor.newInstance(parameters[0] == Map.class ? environment.variables() : environment));
                    }
                }
                return defaults.create(type);
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
