package dev.sluice.infra.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Real pages for tests and benchmarks: 230 pages of the PostgreSQL manual in the POST format, one JSON page per
 * line ({@code corpus/postgresql-docs-sample.ndjson.gz} beside this class, with its provenance and licence), or the
 * file {@code SLUICE_CORPUS} names, in the same format.
 */
public final class Corpus {

    private static final String RESOURCE = "corpus/postgresql-docs-sample.ndjson.gz";
    private static List<String> lines;

    private Corpus() {}

    /** Every page of the corpus, as its JSON line. */
    public static synchronized List<String> pages() {
        if (lines == null) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(open(), 1 << 16), StandardCharsets.UTF_8))) {
                lines = reader.lines().filter(line -> !line.isBlank()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }

    private static InputStream open() throws IOException {
        String configured = System.getenv("SLUICE_CORPUS");
        if (configured != null && !configured.isBlank()) {
            return Files.newInputStream(Path.of(configured));
        }
        InputStream resource = Corpus.class.getResourceAsStream(RESOURCE);
        if (resource == null) {
            throw new IllegalStateException("the corpus " + RESOURCE + " is missing from the embedded-stack jar");
        }
        return resource;
    }
}
