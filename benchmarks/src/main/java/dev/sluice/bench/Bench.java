package dev.sluice.bench;

import dev.sluice.bench.write.WriteBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./sluice bench <path>}: one benchmark per path of the pipeline. */
@Command(name = "sluice bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each starts a fresh stack, measures one path, and prints medians and ratios to the limit.",
        subcommands = {WriteBenchmark.class})
public final class Bench implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
