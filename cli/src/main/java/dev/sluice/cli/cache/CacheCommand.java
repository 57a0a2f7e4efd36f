package dev.sluice.cli.cache;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code sluice cache}: tools for the Redis page cache. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "Audit the Redis page cache against PostgreSQL.",
        subcommands = CacheCheckCommand.class)
public final class CacheCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
