package dev.sluice.bench;

import dev.sluice.bench.backup.BackupBenchmark;
import dev.sluice.bench.ingest.CompressionBenchmark;
import dev.sluice.bench.ingest.IngestBenchmark;
import dev.sluice.bench.ingest.ReplayBenchmark;
import dev.sluice.bench.invalidation.InvalidationBenchmark;
import dev.sluice.bench.pipeline.PipelineBenchmark;
import dev.sluice.bench.read.ReadBenchmark;
import dev.sluice.bench.search.NearDuplicateBenchmark;
import dev.sluice.bench.write.WriteBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code sluice bench <path>}: one benchmark per path of the pipeline, each on a fresh stack. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each starts a fresh stack, measures one path, and prints medians and ratios to the limit.",
        subcommands = {WriteBenchmark.class, IngestBenchmark.class, ReadBenchmark.class, InvalidationBenchmark.class, ReplayBenchmark.class,
                BackupBenchmark.class, NearDuplicateBenchmark.class, PipelineBenchmark.class, CompressionBenchmark.class})
public final class Bench implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
