package dev.sluice.bench.search;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Medians;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.sample.NearDuplicateSet;
import dev.sluice.store.search.PageText;
import dev.sluice.store.search.SearchIndex;
import dev.sluice.store.search.Simhash;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import javax.sql.DataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code ./sluice bench near-duplicates}: what near-duplicate detection costs and how well it finds copies. The CPU
 * per page of the fingerprint (simhash) next to the text extraction the indexer does anyway (jsoup) and to a bare scan
 * of the same characters (the floor); precision and recall on the labelled set (real pages and lightly edited copies)
 * at thresholds 0 to 6; and the search indexer's transaction per page with fingerprints and without, on PostgreSQL.
 */
@Command(name = "near-duplicates", mixinStandardHelpOptions = true,
        description = "Near-duplicates: simhash CPU per page against extraction and a bare scan, precision and recall, indexing cost.")
public final class NearDuplicateBenchmark implements Callable<Integer> {

    @Option(names = "--copies", defaultValue = "10", description = "Edited copies of each sample page indexed in PostgreSQL (default: ${DEFAULT-VALUE}).")
    int copies;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final int BATCH = 500;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    @Override
    public Integer call() throws Exception {
        List<JsonNode> pages = Corpus.pages().stream().map(line -> Json.mapper().readTree(line)).toList();
        List<String> texts = pages.stream().map(NearDuplicateBenchmark::text).toList();
        System.out.printf("near-duplicates: %d sample pages, %,d characters of visible text on average, %d rounds%n", pages.size(),
                texts.stream().mapToInt(String::length).sum() / texts.size(), rounds);

        cpuPerPage(pages, texts);
        quality(texts);
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            indexing(environment.dataSource(), texts);
        }
        return 0;
    }

    /** Thread CPU per page: extraction (paid anyway), the fingerprint, and one pass over the characters. */
    private void cpuPerPage(List<JsonNode> pages, List<String> texts) {
        long[] sink = new long[1];
        for (int warm = 0; warm < 3; warm++) { // the JIT compiles all three first
            pages.forEach(page -> sink[0] += text(page).length());
            texts.forEach(text -> sink[0] += Simhash.of(text));
            texts.forEach(text -> sink[0] += scan(text));
        }
        List<Double> extraction = new ArrayList<>();
        List<Double> fingerprint = new ArrayList<>();
        List<Double> floor = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            extraction.add(micros(pages, page -> sink[0] += text(page).length()));
            fingerprint.add(micros(texts, text -> sink[0] += Simhash.of(text)));
            floor.add(micros(texts, text -> sink[0] += scan(text)));
        }
        double simhash = Medians.of(fingerprint);
        System.out.printf("CPU per page (median of %d): extraction (jsoup) %.1f µs, simhash %.1f µs, bare scan of the text %.1f µs (floor)%n",
                rounds, Medians.of(extraction), simhash, Medians.of(floor));
        System.out.printf("  simhash = %.2fx the floor, %.1f %% of the extraction it follows%n", simhash / Medians.of(floor),
                100 * simhash / Medians.of(extraction));
        if (sink[0] == 42) {
            System.out.println();
        }
    }

    private void quality(List<String> texts) {
        System.out.println("Precision and recall on the labelled set (each page and a lightly edited copy; every pair of different pages):");
        System.out.println("  bits  recall (3 edit seeds)        precision (false pairs of 26,335 per seed)");
        List<NearDuplicateSet> sets = List.of(NearDuplicateSet.of(texts, 20261205), NearDuplicateSet.of(texts, 1), NearDuplicateSet.of(texts, 2));
        for (int threshold = 0; threshold <= 6; threshold++) {
            StringBuilder recall = new StringBuilder();
            StringBuilder precision = new StringBuilder();
            for (NearDuplicateSet set : sets) {
                int n = set.originals().size();
                long[] originals = set.originals().stream().mapToLong(Simhash::of).toArray();
                int found = 0;
                for (int i = 0; i < n; i++) {
                    found += Simhash.distance(originals[i], Simhash.of(set.copies().get(i))) <= threshold ? 1 : 0;
                }
                long falselyNear = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        falselyNear += Simhash.distance(originals[i], originals[j]) <= threshold ? 1 : 0;
                    }
                }
                recall.append(String.format(" %.3f", (double) found / n));
                precision.append(String.format(" %.3f (%d)", found + falselyNear == 0 ? 1.0 : (double) found / (found + falselyNear), falselyNear));
            }
            System.out.printf("  %s%d   %-28s %s%n", threshold == Simhash.NEAR ? "*" : " ", threshold, recall, precision);
        }
        System.out.println("  (* the threshold used)");
    }

    /** The search indexer's own statements over the sample pages and their edited copies, with fingerprints and without. */
    private void indexing(DataSource dataSource, List<String> texts) throws SQLException {
        Random random = new Random(7);
        List<String> ids = new ArrayList<>();
        try (Connection db = dataSource.getConnection(); StoredBody.Compressor compressor = StoredBody.compressor();
                PreparedStatement insert = db.prepareStatement("""
                        INSERT INTO pages (id, url, site, title, body_zstd, content_type, status, fetched_at, version, source_partition, source_offset, content_hash)
                        VALUES (?, ?, 'bench.example', 'Page', ?, 'text/html', 200, ?, 1, 0, 0, ?)""")) {
            db.setAutoCommit(false);
            for (int i = 0; i < texts.size(); i++) {
                for (int copy = 0; copy <= copies; copy++) {
                    String text = copy == 0 ? texts.get(i) : NearDuplicateSet.edit(texts.get(i), random);
                    String id = String.format("%032x", ids.size());
                    insert.setString(1, id);
                    insert.setString(2, "https://bench.example/" + i + "/" + copy);
                    insert.setBytes(3, compressor.compress("<html><body><p>" + text.replace("&", "&amp;").replace("<", "&lt;") + "</p></body></html>"));
                    insert.setObject(4, java.time.OffsetDateTime.parse("2026-12-01T00:00:00Z"));
                    insert.setBytes(5, HexFormat.of().parseHex(id));
                    insert.addBatch();
                    ids.add(id);
                }
            }
            insert.executeBatch();
            db.commit();
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            without.add(index(dataSource, ids, false));
            with.add(index(dataSource, ids, true));
        }
        double on = Medians.of(with);
        double off = Medians.of(without);
        System.out.printf("Indexing %,d pages (%d sample pages and %d edited copies of each, one site) in batches of %d, wall µs per page (median of %d):%n",
                ids.size(), texts.size(), copies, BATCH, rounds);
        System.out.printf("  without fingerprints %.0f µs, with %.0f µs: near-duplicates add %.0f µs (%.1f %%)%n", off, on, on - off,
                100 * (on - off) / off);
        try (Connection db = dataSource.getConnection(); Statement sql = db.createStatement();
                ResultSet found = sql.executeQuery("""
                        SELECT count(*) FILTER (WHERE url NOT LIKE '%/0'), count(duplicate_of) FILTER (WHERE url NOT LIKE '%/0'),
                               count(duplicate_of) FILTER (WHERE url LIKE '%/0') FROM page_search""")) {
            found.next();
            System.out.printf("  in PostgreSQL: %,d of %,d copies marked duplicates of a page of the site (%.3f); %,d originals marked (indexed after a copy of theirs)%n",
                    found.getLong(2), found.getLong(1), (double) found.getLong(2) / found.getLong(1), found.getLong(3));
        }
    }

    /** Wall µs per page to index every page from an empty index. */
    private static double index(DataSource dataSource, List<String> ids, boolean nearDuplicates) throws SQLException {
        try (Connection db = dataSource.getConnection(); Statement sql = db.createStatement()) {
            sql.execute("TRUNCATE page_search");
            sql.execute("VACUUM ANALYZE page_search");
        }
        SearchIndex index = new SearchIndex(dataSource, "english", nearDuplicates);
        long started = System.nanoTime();
        for (int from = 0; from < ids.size(); from += BATCH) {
            index.apply(ids.subList(from, Math.min(ids.size(), from + BATCH)));
        }
        return (System.nanoTime() - started) / 1e3 / ids.size();
    }

    private <T> double micros(List<T> items, Consumer<T> work) {
        long started = threads.getCurrentThreadCpuTime();
        items.forEach(work);
        return (threads.getCurrentThreadCpuTime() - started) / 1e3 / items.size();
    }

    private static String text(JsonNode page) {
        return PageText.extract(page.path("title").asString(null), page.path("body").asString(""), page.path("content_type").asString("text/html"))
                .content();
    }

    /** The floor: every code point read and classified once, as the fingerprint must. */
    private static long scan(String text) {
        long letters = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            letters += Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
            i += Character.charCount(c);
        }
        return letters;
    }
}
