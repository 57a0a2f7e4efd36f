package dev.sluice.bench.ingest;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictTrainer;
import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Medians;
import dev.sluice.bench.support.RealisticPages;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Where to compress page bodies: PostgreSQL's TOAST compression (pglz, what {@code pages} does today; lz4 where the
 * server is built with it), none at all, or the writer compressing with zstd (optionally with a dictionary) into a
 * {@code bytea} stored without TOAST compression. For each: COPY throughput into a copy of {@code pages}, the CPU it
 * costs PostgreSQL's backend and the writer, the bytes stored, and reading every body back as text. The writer's
 * zstd is what {@code pages} does since schema 13 (level 3, {@code body_zstd}); pglz is what it did before. Against an
 * external PostgreSQL ({@code SLUICE_PG_URL}) this measures what that server can do (a distribution's build has lz4;
 * the embedded one has not).
 */
@Command(name = "compression", mixinStandardHelpOptions = true,
        description = "Body compression: pglz/lz4 TOAST, none, or zstd by the writer, on throughput, CPU and stored size.")
public final class CompressionBenchmark implements Callable<Integer> {

    @Option(names = "--pages", defaultValue = "100000", description = "Pages per body size (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--body-sizes", split = ",", defaultValue = "2048,8192", description = "Body sizes in bytes (default: ${DEFAULT-VALUE}).")
    List<Integer> bodySizes;

    @Option(names = "--rounds", defaultValue = "3", description = "Measurements of each variant; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final String TABLE = "bench_compression";
    private static final int DICTIONARY_SAMPLES = 2_000;
    private static final int DICTIONARY_BYTES = 64 * 1024;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One way of storing bodies: in PostgreSQL (a TOAST setting) or compressed by the writer ({@code zstdLevel > 0}). */
    record Variant(String name, String columnSetting, int zstdLevel, boolean dictionary) {
        boolean byWriter() {
            return zstdLevel > 0;
        }
    }

    /** The medians of one variant: writing, storing, reading. */
    record Figures(double copyRowsPerSecond, double backendMicrosPerRow, double writerMicrosPerRow, double bodyBytesPerRow,
            double tableBytesPerRow, double readRowsPerSecond, double readMicrosPerRow) {}

    @Override
    public Integer call() throws Exception {
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            DataSource db = environment.dataSource();
            boolean lz4 = serverHasLz4(db);
            String server = serverVersion(db);
            System.out.printf("Body compression benchmark: %,d pages per body size %s, %d round(s); PostgreSQL %s, lz4 %s%n",
                    pageCount, bodySizes, rounds, server, lz4 ? "built in" : "not built in (not measured)");
            List<Variant> variants = new ArrayList<>();
            variants.add(new Variant("pglz TOAST (pages before schema 13)", "", 0, false));
            if (lz4) {
                variants.add(new Variant("lz4 TOAST", "SET COMPRESSION lz4", 0, false));
            }
            variants.add(new Variant("not compressed (STORAGE EXTERNAL)", "SET STORAGE EXTERNAL", 0, false));
            variants.add(new Variant("zstd 1 by the writer", "", 1, false));
            variants.add(new Variant("zstd 3 by the writer (pages today)", "", 3, false));
            variants.add(new Variant("zstd 3 + dictionary by the writer", "", 3, true));

            List<String> report = new ArrayList<>();
            RealisticPages generator = new RealisticPages();
            Instant fetchedAt = Instant.parse("2026-11-20T10:15:30Z");
            for (int bodySize : bodySizes) {
                System.out.printf("%n== %d B bodies: generating %,d pages ...%n", bodySize, pageCount);
                List<BenchRow> rows = BenchRow.generate(generator, 0, pageCount, bodySize, fetchedAt);
                // Trained on other pages than those measured, as a writer would train on what it stored before.
                byte[] dictionary = train(BenchRow.generate(generator, pageCount, DICTIONARY_SAMPLES, bodySize, fetchedAt));
                Map<Variant, List<Figures>> measured = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    System.out.printf("-- round %d of %d%n", round, rounds);
                    for (Variant variant : variants) {
                        Figures figures = measure(db, rows, variant, variant.dictionary() ? dictionary : null);
                        System.out.printf("  %-36s COPY %,8.0f rows/s, backend %5.1f µs/row, writer %5.1f µs/row, body %,6.0f B, "
                                        + "read %,8.0f rows/s%n", variant.name(), figures.copyRowsPerSecond(), figures.backendMicrosPerRow(),
                                figures.writerMicrosPerRow(), figures.bodyBytesPerRow(), figures.readRowsPerSecond());
                        measured.computeIfAbsent(variant, v -> new ArrayList<>()).add(figures);
                    }
                }
                report.addAll(table(bodySize, rows.size(), measured));
            }
            System.out.println();
            report.forEach(System.out::println);
            System.out.printf("""

                    COPY: one stream of every page into a copy of pages (its indexes included), in one transaction; the
                    writer's µs/row is what compressing each body costs one thread of the writer (zero when PostgreSQL
                    compresses); backend µs/row is the CPU of PostgreSQL's backend serving the COPY. Read: every body
                    selected and turned into text (decompressed by the reader where the writer compressed), its CPU the
                    backend's and the reader's together. The dictionary (%d KiB) is trained on %,d other pages.
                    """, DICTIONARY_BYTES / 1024, DICTIONARY_SAMPLES);
        }
        return 0;
    }

    private static Figures measure(DataSource db, List<BenchRow> rows, Variant variant, byte[] dictionary) throws SQLException {
        byte[][] compressed = null;
        double writerMicros = 0;
        if (variant.byWriter()) {
            // what compressing costs, without what making the benchmark's bodies costs (measured alone first)
            long cpu = THREADS.getCurrentThreadCpuTime();
            if (encodeOnly(rows) == 0) {
                throw new IllegalStateException("no bodies to compress");
            }
            long making = THREADS.getCurrentThreadCpuTime() - cpu;
            cpu = THREADS.getCurrentThreadCpuTime();
            compressed = compress(rows, variant.zstdLevel(), dictionary);
            writerMicros = Math.max(0, THREADS.getCurrentThreadCpuTime() - cpu - making) / 1e3 / rows.size();
        }
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS " + TABLE);
            statement.execute("CREATE TABLE " + TABLE + " (LIKE pages INCLUDING ALL)");
            if (!variant.columnSetting().isEmpty()) {
                statement.execute("ALTER TABLE " + TABLE + " ALTER COLUMN body " + variant.columnSetting());
            }
            long backend = backendPid(connection);
            Duration backendBefore = cpuOf(backend);
            long started = System.nanoTime();
            byte[][] bodies = compressed;
            Limits.copy(connection, TABLE, rows, bodies == null
                    ? (line, i) -> Limits.text(line, rows.get(i).body())
                    : (line, i) -> Limits.frame(line, bodies[i]));
            double copyRate = rows.size() / ((System.nanoTime() - started) / 1e9);
            double backendMicros = cpuOf(backend).minus(backendBefore).toNanos() / 1e3 / rows.size();

            double bodyBytes;
            double tableBytes;
            try (ResultSet size = statement.executeQuery(
                    "SELECT avg(coalesce(pg_column_size(body), pg_column_size(body_zstd))), pg_total_relation_size('" + TABLE + "') FROM "
                            + TABLE)) {
                size.next();
                bodyBytes = size.getDouble(1);
                tableBytes = size.getDouble(2) / rows.size();
            }
            Duration readBackendBefore = cpuOf(backend);
            long readCpu = THREADS.getCurrentThreadCpuTime();
            long reading = System.nanoTime();
            read(connection, rows, variant, dictionary);
            double readRate = rows.size() / ((System.nanoTime() - reading) / 1e9);
            double readMicros = (cpuOf(backend).minus(readBackendBefore).toNanos() + THREADS.getCurrentThreadCpuTime() - readCpu) / 1e3 / rows.size();
            statement.execute("DROP TABLE " + TABLE);
            return new Figures(copyRate, backendMicros, writerMicros, bodyBytes, tableBytes, readRate, readMicros);
        }
    }

    /** Every body made and encoded, not compressed: what {@link #compress} costs before compressing. @return the bytes */
    private static long encodeOnly(List<BenchRow> rows) {
        long bytes = 0;
        for (BenchRow row : rows) {
            bytes += row.body().getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    private static byte[][] compress(List<BenchRow> rows, int level, byte[] dictionary) {
        byte[][] compressed = new byte[rows.size()][];
        try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            zstd.setLevel(level);
            zstd.setContentSize(true);
            if (dictionary != null) {
                zstd.loadDict(dictionary);
            }
            for (int i = 0; i < rows.size(); i++) {
                compressed[i] = zstd.compress(rows.get(i).body().getBytes(StandardCharsets.UTF_8));
            }
        }
        return compressed;
    }

    /** Every body back as text, in key order as a reader scanning would; checks each one against what was written. */
    private static void read(Connection connection, List<BenchRow> rows, Variant variant, byte[] dictionary) throws SQLException {
        Map<String, BenchRow> byId = new LinkedHashMap<>();
        rows.forEach(row -> byId.put(row.id(), row));
        connection.unwrap(PGConnection.class).setPrepareThreshold(-1); // binary results: bytea as bytes, not hex
        connection.setAutoCommit(false);
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx();
                PreparedStatement select = connection.prepareStatement("SELECT id, " + (variant.byWriter() ? "body_zstd" : "body") + " FROM " + TABLE)) {
            if (dictionary != null) {
                zstd.loadDict(dictionary);
            }
            select.setFetchSize(1_000);
            int read = 0;
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    String body;
                    if (variant.byWriter()) {
                        byte[] stored = result.getBytes(2);
                        body = new String(zstd.decompress(stored, (int) Zstd.getFrameContentSize(stored)), StandardCharsets.UTF_8);
                    } else {
                        body = result.getString(2);
                    }
                    if (read++ % 997 == 0 && !body.equals(byId.get(result.getString(1)).body())) {
                        throw new IllegalStateException(variant.name() + ": a body read back differs from the one written");
                    }
                }
            }
            if (read != rows.size()) {
                throw new IllegalStateException(variant.name() + ": read " + read + " of " + rows.size() + " rows");
            }
        } finally {
            connection.commit();
            connection.setAutoCommit(true);
        }
    }

    private static byte[] train(List<BenchRow> samples) {
        ZstdDictTrainer trainer = new ZstdDictTrainer(samples.stream().mapToInt(row -> row.bodySize() * 4).sum(), DICTIONARY_BYTES);
        samples.forEach(row -> trainer.addSample(row.body().getBytes(StandardCharsets.UTF_8)));
        return trainer.trainSamples();
    }

    private static List<String> table(int bodySize, int pages, Map<Variant, List<Figures>> measured) {
        List<String> lines = new ArrayList<>();
        Figures pglz = medians(measured.values().iterator().next());
        lines.add(String.format("%n%d B bodies, %,d pages, medians of %d", bodySize, pages, measured.values().iterator().next().size()));
        lines.add(String.format("  %-36s %9s %6s %9s %9s %8s %7s %9s %9s %9s", "", "COPY/s", "x pglz", "backend", "writer", "body B",
                "x pglz", "table B", "read/s", "read µs"));
        measured.forEach((variant, rounds) -> {
            Figures f = medians(rounds);
            lines.add(String.format("  %-36s %,9.0f %5.2fx %6.1f µs %6.1f µs %,8.0f %6.2fx %,9.0f %,9.0f %6.1f µs", variant.name(),
                    f.copyRowsPerSecond(), f.copyRowsPerSecond() / pglz.copyRowsPerSecond(), f.backendMicrosPerRow(), f.writerMicrosPerRow(),
                    f.bodyBytesPerRow(), f.bodyBytesPerRow() / pglz.bodyBytesPerRow(), f.tableBytesPerRow(), f.readRowsPerSecond(),
                    f.readMicrosPerRow()));
        });
        return lines;
    }

    private static Figures medians(List<Figures> rounds) {
        return new Figures(median(rounds, Figures::copyRowsPerSecond), median(rounds, Figures::backendMicrosPerRow),
                median(rounds, Figures::writerMicrosPerRow), median(rounds, Figures::bodyBytesPerRow), median(rounds, Figures::tableBytesPerRow),
                median(rounds, Figures::readRowsPerSecond), median(rounds, Figures::readMicrosPerRow));
    }

    private static double median(List<Figures> rounds, java.util.function.ToDoubleFunction<Figures> figure) {
        return Medians.of(rounds.stream().map(figure::applyAsDouble).toList());
    }

    private static boolean serverHasLz4(DataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(
                        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")) {
            return result.next() && result.getBoolean(1);
        }
    }

    private static String serverVersion(DataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SHOW server_version")) {
            result.next();
            return result.getString(1);
        }
    }

    private static long backendPid(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("SELECT pg_backend_pid()")) {
            result.next();
            return result.getLong(1);
        }
    }

    /** The CPU a local backend has used so far (zero for a server on another machine: its figures then read 0). */
    private static Duration cpuOf(long pid) {
        return ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration()).orElse(Duration.ZERO);
    }
}
