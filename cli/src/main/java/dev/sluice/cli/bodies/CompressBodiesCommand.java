package dev.sluice.cli.bodies;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.cli.support.Progress;
import dev.sluice.cli.support.Throttle;
import dev.sluice.store.bodies.TextBodies;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sluice bodies compress}: moves bodies still stored as text (rows from before schema 13) to compressed
 * frames, a batch per transaction, with progress; it can be stopped and run again at any time. Readers see no
 * change (same body, same version); the database stores less.
 */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Compress the bodies of rows that still hold them as text (written before schema 13), a batch at a time.")
public final class CompressBodiesCommand implements Callable<Integer> {

    @Option(names = "--batch", defaultValue = "500", description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-rate", defaultValue = "2000",
            description = "Most rows per second, so live ingest keeps the database (default: ${DEFAULT-VALUE}; 0: unthrottled).")
    int maxRate;

    @Option(names = "--dry-run", description = "Only count the rows that hold their body as text, and their size.")
    boolean dryRun;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    CompressBodiesCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1 || batch > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be between 1 and 10000, not " + batch);
        }
        if (maxRate < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-rate cannot be negative: " + maxRate);
        }
        try (Connection db = environment.connect()) {
            TextBodies.Census census = TextBodies.census(db);
            out.printf("%,d page(s) hold their body as text: %s stored, %s of text%n", census.rows(), size(census.storedBytes()),
                    size(census.textBytes()));
            out.flush();
            if (dryRun || census.rows() == 0) {
                return 0;
            }
            long started = System.nanoTime();
            long compressed = 0;
            long skipped = 0;
            long textBytes = 0;
            long frameBytes = 0;
            Throttle throttle = new Throttle(maxRate);
            try (Progress progress = new Progress("Compressing", census.rows(), "pages", spec.commandLine().getErr())) {
                String after = "";
                while (true) {
                    throttle.acquire(batch);
                    TextBodies.Batch done = TextBodies.compressNext(db, after, batch);
                    if (done.lastId() == null) {
                        break;
                    }
                    after = done.lastId();
                    compressed += done.compressed();
                    skipped += done.skipped();
                    textBytes += done.textBytes();
                    frameBytes += done.frameBytes();
                    progress.advance(done.compressed() + done.skipped());
                }
            }
            out.printf("Compressed %,d bod%s in %.1f s: %s of text into %s of frames%n", compressed, compressed == 1 ? "y" : "ies",
                    (System.nanoTime() - started) / 1e9, size(textBytes), size(frameBytes));
            if (skipped > 0) {
                out.printf("%,d page(s) were written meanwhile and left to their writer; run again to compress any still held as text%n",
                        skipped);
            }
            out.println("The space is reused by new rows; VACUUM FULL pages (which locks it) returns it to the file system.");
            return 0;
        }
    }

    private static String size(long bytes) {
        return bytes < 1 << 20 ? String.format("%,.1f KiB", bytes / 1024.0) : String.format("%,.1f MiB", bytes / (double) (1 << 20));
    }
}
