package dev.sluice.infra.test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The shared corpus of real pages ({@code ../shared/corpus/postgresql-docs.ndjson.gz}: 1,169 pages of the
 * PostgreSQL manual, one JSON page per line, in the POST format). Found beside the checkout, or where
 * {@code SLUICE_CORPUS} points.
 */
public final class Corpus {

    private static final String FILE = "postgresql-docs.ndjson.gz";
    private static List<String> lines;

    private Corpus() {}

    public static Path path() {
        String configured = System.getenv("SLUICE_CORPUS");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve("corpus").resolve(FILE);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("the corpus " + FILE + " is not in any ../shared/corpus/ above "
                + Path.of("").toAbsolutePath() + "; set SLUICE_CORPUS to its path");
    }

    /** Every page of the corpus, as its JSON line. */
    public static synchronized List<String> pages() {
        if (lines == null) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(Files.newInputStream(path()), 1 << 16), StandardCharsets.UTF_8))) {
                lines = reader.lines().filter(line -> !line.isBlank()).toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return lines;
    }
}
