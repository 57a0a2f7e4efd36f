package dev.sluice.cli.importing;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.cli.support.Progress;
import dev.sluice.core.page.PageLimits;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code sluice import}: posts NDJSON or WARC files of pages to the API; exit 0 when every page was accepted, 1 otherwise. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Post NDJSON files of pages (one page per line, as POST /v1/pages takes it; gzip or not) to the API in batches,",
                "or WARC files (--format warc: the HTTP responses and revisits a crawler archived, as Heritrix, wget or Browsertrix write them).",
                "429 and 503 are waited out (Retry-After) and retried; pages the API refuses are written with the reason to the rejects file.",
                "Exit status: 0 every page accepted, 1 some rejected, 2 usage error or the key refused."},
        footer = {"", "Example:", "  sluice import --key \"$(cat .sluice/dev-api-key)\" crawl-2026-11-20.ndjson.gz"})
public final class ImportCommand implements Callable<Integer> {

    /** The file formats {@code import} reads. */
    enum Format { ndjson, warc }

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "NDJSON or WARC files of pages (.gz or plain).")
    List<Path> files;

    @Option(names = "--format", defaultValue = "ndjson", description = "ndjson or warc (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--api", description = "The API's base URL (default: SLUICE_API_URL, else http://localhost:8080).")
    URI api;

    @Option(names = "--key", description = "The API key (default: SLUICE_API_KEY).")
    String key;

    @Option(names = "--batch", defaultValue = "500", description = "Pages per request, at most the key's burst (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--concurrency", defaultValue = "4", description = "Requests at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--rejects", defaultValue = "rejected.ndjson", description = "Where refused pages go, with their reasons (default: ${DEFAULT-VALUE}).")
    Path rejects;

    @Option(names = "--max-attempts", defaultValue = "8", description = "Attempts per batch on errors other than 429/503 (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    public ImportCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String apiKey = key != null ? key : environment.apiKey();
        if (apiKey == null || apiKey.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "an API key is needed: --key or SLUICE_API_KEY");
        }
        if (batch < 1 || concurrency < 1 || maxAttempts < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch, --concurrency and --max-attempts must be at least 1");
        }
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file);
            }
        }
        Files.deleteIfExists(rejects);
        URI base = api != null ? api : URI.create(environment.apiUrl());
        PageImporter.Settings settings = new PageImporter.Settings(base, apiKey, batch, concurrency, maxAttempts, Duration.ofSeconds(60));
        long totalBytes = 0;
        for (Path file : files) {
            totalBytes += Files.size(file);
        }
        long started = System.nanoTime();
        PageImporter.Summary summary;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        try (RejectsFile rejected = new RejectsFile(rejects);
                Progress progress = new Progress("Importing", totalBytes, "bytes", spec.commandLine().getErr())) {
            PageImporter.Format reader = format == Format.warc
                    ? (file, bytesRead) -> new WarcPages(file, bytesRead, PageLimits.DEFAULTS.maxBodyBytes())
                    : PageLines::new;
            summary = new PageImporter(http, settings, rejected).run(files, reader, new AtomicLong(), progress);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("Imported %,d " + (format == Format.warc ? "page record(s)" : "page line(s)") + " from %d file(s) in %.1f s: %,d accepted, %,d rejected%s, %,d retried after 429/503 (%,d waits)%n",
                summary.lines(), files.size(), seconds, summary.accepted(), summary.rejected(),
                summary.rejected() > 0 ? " (reasons in " + rejects + ")" : "", summary.retriedPages(), summary.waits());
        if (summary.stoppedBecause() != null) {
            out.println("Stopped: " + summary.stoppedBecause() + "; pages after the last accepted batch were not sent.");
            return 2;
        }
        return summary.rejected() == 0 ? 0 : 1;
    }
}
