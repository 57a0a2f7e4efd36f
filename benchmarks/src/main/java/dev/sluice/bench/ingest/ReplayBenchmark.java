package dev.sluice.bench.ingest;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Medians;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.SluiceJar;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The replay path: {@code sluice replay} (the real CLI, as a separate process, unthrottled) re-reading a topic
 * into an empty {@code pages}, into a full one (every write fenced: the cost of re-applying a range), and into a
 * gzip NDJSON file, against the limits measured in the same run for the same rows: a raw COPY into an empty
 * {@code pages}, and a bare consumer reading the topic (alone, and gzipping what it reads).
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Replay path: sluice replay into PostgreSQL (empty and full table) and into a file, against COPY and a bare consumer.")
public final class ReplayBenchmark implements Callable<Integer> {

    @Option(names = "--pages", defaultValue = "100000", description = "Records in the topic (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--body-size", defaultValue = "4096", description = "Body size in bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--rounds", defaultValue = "3", description = "Measurements of each phase; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final String TOPIC = "pages.bench-replay";
    private static final Pattern REPLAYED = Pattern.compile("Replayed ([\\d,]+) record\\(s\\) of \\S+ in ([\\d.]+) s");

    @Override
    public Integer call() throws Exception {
        SluiceJar.in(home);
        System.out.printf("Replay path benchmark: %,d pages of %d B bodies, %d round(s) per phase%n", pageCount, bodySize, rounds);
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            DataSource db = environment.dataSource();
            List<BenchRow> rows = BenchRow.generate(new RealisticPages(), 0, pageCount, bodySize, Instant.parse("2026-11-20T10:15:30Z"));
            double mib = rows.stream().mapToLong(BenchRow::postedBytes).sum() / (double) (1 << 20);
            IngestBenchmark.fill(environment, TOPIC, rows, false);

            List<Double> copy = new ArrayList<>();
            List<Double> intoEmpty = new ArrayList<>();
            List<Double> intoFull = new ArrayList<>();
            List<Double> consumer = new ArrayList<>();
            List<Double> intoFile = new ArrayList<>();
            List<Double> gzipped = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("%n-- round %d of %d%n", round, rounds);
                truncate(db);
                long started = System.nanoTime();
                Limits.copy(db, "pages", rows);
                copy.add(report("COPY into an empty pages", rows.size() / seconds(started)));

                truncate(db);
                intoEmpty.add(report("replay into an empty pages", replay(environment, "--into", "postgres", "--restart")));
                intoFull.add(report("replay again (every write fenced)", replay(environment, "--into", "postgres", "--restart")));

                consumer.add(report("bare consumer reading the topic", bareConsumer(environment, false)));
                gzipped.add(report("bare consumer + gzip (fastest) of the values", bareConsumer(environment, true)));
                Path file = environment.directory().resolve("replay.ndjson.gz");
                intoFile.add(report("replay into a gzip NDJSON file", replay(environment, "--into", "file", "--file", file.toString(),
                        "--restart")));
                System.out.printf("    file: %,.1f MiB for %,.1f MiB posted%n", Files.size(file) / (double) (1 << 20), mib);
            }
            double copyMedian = Medians.of(copy);
            double consumerMedian = Medians.of(consumer);
            System.out.printf("%n%d B bodies, %,d pages (%.0f MiB as posted); medians of %d%n", bodySize, rows.size(), mib, rounds);
            System.out.printf("  %-40s %10s %8s %12s%n", "", "rows/s", "MiB/s", "ratio");
            line("COPY into an empty pages (the floor)", copyMedian, mib, rows.size(), null);
            line("sluice replay into an empty pages", Medians.of(intoEmpty), mib, rows.size(), String.format("%.2f x COPY", Medians.of(intoEmpty) / copyMedian));
            line("sluice replay again (all fenced)", Medians.of(intoFull), mib, rows.size(), String.format("%.2f x COPY", Medians.of(intoFull) / copyMedian));
            line("bare consumer (the floor for a file)", consumerMedian, mib, rows.size(), null);
            line("bare consumer + gzip (the floor with gzip)", Medians.of(gzipped), mib, rows.size(), null);
            line("sluice replay into a file", Medians.of(intoFile), mib, rows.size(), String.format("%.2f x consumer, %.2f x with gzip",
                    Medians.of(intoFile) / consumerMedian, Medians.of(intoFile) / Medians.of(gzipped)));
            System.out.println("""

                    The replays are the real CLI in its own JVM, unthrottled (--max-rate 0), timed by the CLI itself (from the
                    first poll to the last write; the JVM's start is not counted). COPY and the bare consumer run in this JVM.""");
        }
        return 0;
    }

    private static double report(String phase, double rowsPerSecond) {
        System.out.printf("  %-40s %,10.0f rows/s%n", phase, rowsPerSecond);
        return rowsPerSecond;
    }

    private static void line(String name, double rowsPerSecond, double mib, int rows, String ratio) {
        System.out.printf("  %-40s %,10.0f %8.1f %12s%n", name, rowsPerSecond, rowsPerSecond * mib / rows, ratio == null ? "" : ratio);
    }

    /** Runs the CLI's replay of the whole topic; returns the rate it reports. */
    private double replay(BenchEnvironment environment, String... args) throws IOException, InterruptedException {
        List<String> command = SluiceJar.command(home, List.of("-Xmx1g"), "replay", "--topic", TOPIC, "--max-rate", "0");
        Collections.addAll(command, args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment.connections().toEnvironment());
        // SLUICE_BENCH_CLI_JAVA_OPTIONS (say, a JFR recording) goes to the replay's JVM, as the services' do (BenchEnvironment)
        String options = System.getenv("SLUICE_BENCH_CLI_JAVA_OPTIONS");
        if (options != null && !options.isBlank()) {
            builder.environment().merge("JAVA_TOOL_OPTIONS", options, (given, more) -> given + " " + more);
        }
        Process process = builder.start();
        String output;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output = String.join("\n", reader.lines().toList());
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("sluice replay failed:\n" + output);
        }
        Matcher matcher = REPLAYED.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no summary in:\n" + output);
        }
        long records = Long.parseLong(matcher.group(1).replace(",", ""));
        return records / Double.parseDouble(matcher.group(2));
    }

    /** Reads every record of the topic with a consumer in no group, doing nothing with them (or only gzip them, fastest level). */
    private double bareConsumer(BenchEnvironment environment, boolean gzip) throws IOException {
        Map<String, Object> config = new HashMap<>(environment.kafkaClient());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream().map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
            long read = 0;
            long started = System.nanoTime();
            try (GZIPOutputStream sink = new GZIPOutputStream(OutputStream.nullOutputStream(), 1 << 16) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            }) {
                while (read < end) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                    read += records.count();
                    if (gzip) {
                        for (var record : records) {
                            sink.write(record.value());
                        }
                    }
                }
            }
            return read / seconds(started);
        }
    }

    private static void truncate(DataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE pages, consumer_positions");
            statement.execute("CHECKPOINT");
        }
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
