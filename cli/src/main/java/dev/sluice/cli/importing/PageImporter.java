package dev.sluice.cli.importing;

import dev.sluice.cli.importing.PageLines.Line;
import dev.sluice.cli.support.Progress;
import dev.sluice.client.SluiceClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the pages of each file and posts them with the Java client ({@link SluiceClient}: batches, 429/503 waited
 * out, 413 split, bounded retries, refusals by page); every page ends accepted or in the rejects file with its reason.
 * A refused key stops the import: what was not sent goes to the rejects file as not sent.
 */
final class PageImporter {

    record Settings(URI api, String key, int batchSize, int concurrency, int maxAttempts, Duration timeout) {}

    record Summary(long lines, long accepted, long rejected, long retriedPages, long waits, String stoppedBecause) {}

    /** Opens a file as pages: NDJSON lines or WARC records. */
    interface Format {
        PageSource open(Path file, AtomicLong bytesRead) throws IOException;
    }

    private final HttpClient http;
    private final Settings settings;
    private final RejectsFile rejects;

    PageImporter(HttpClient http, Settings settings, RejectsFile rejects) {
        this.http = http;
        this.settings = settings;
        this.rejects = rejects;
    }

    private static boolean loopback(URI api) {
        String host = api.getHost();
        return host == null || host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    Summary run(List<Path> files, Format format, AtomicLong bytesRead, Progress progress) throws IOException, InterruptedException {
        SluiceClient<Line> client = SluiceClient.<Line>builder(settings.api(), settings.key()).httpClient(http)
                .batchPages(settings.batchSize()).concurrency(settings.concurrency()).maxAttempts(settings.maxAttempts())
                .timeout(settings.timeout()).gzip(!loopback(settings.api())) // on this machine gzip costs more CPU than it saves
                .onRejected(rejected -> rejects.add(rejected.tag(), rejected.reason()))
                .build();
        long lines = 0;
        long reported = 0;
        try {
            for (Path file : files) {
                try (PageSource reader = format.open(file, bytesRead)) {
                    for (Line line = reader.next(); line != null && client.stopped().isEmpty(); line = reader.next()) {
                        lines++;
                        if (line.refused() != null) {
                            rejects.add(line, line.refused());
                        } else {
                            client.add(line, line.text());
                        }
                        long read = bytesRead.get();
                        progress.advance(read - reported);
                        reported = read;
                    }
                }
                if (client.stopped().isPresent()) {
                    break;
                }
            }
        } finally {
            client.close();
        }
        SluiceClient.Counts counts = client.counts();
        return new Summary(lines, counts.accepted(), rejects.count(), counts.retriedPages(), counts.waits(), client.stopped().orElse(null));
    }
}
