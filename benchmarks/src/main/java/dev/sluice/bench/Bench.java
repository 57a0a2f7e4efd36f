package dev.sluice.bench;

import dev.sluice.bench.backup.BackupBenchmark;
import dev.sluice.bench.ingest.IngestBenchmark;
import dev.sluice.bench.ingest.ReplayBenchmark;
import dev.sluice.bench.invalidation.InvalidationBenchmark;
import dev.sluice.bench.read.ReadBenchmark;
import dev.sluice.bench.write.WriteBenchmark;
import dev.sluice.core.kafka.NativeCompression;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./sluice bench <path>}: one benchmark per path of the pipeline. */
@Command(name = "sluice bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each starts a fresh stack, measures one path, and prints medians and ratios to the limit.",
        subcommands = {WriteBenchmark.class, IngestBenchmark.class, ReadBenchmark.class, InvalidationBenchmark.class, ReplayBenchmark.class,
                BackupBenchmark.class})
public final class Bench implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The raw producer must compress the way the services do (they load native lz4 at start).
        System.out.println("lz4 in this JVM: " + (NativeCompression.loadLz4() ? "native" : "Java"));
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
